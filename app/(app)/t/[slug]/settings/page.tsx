import { ActionForm } from "@/components/ui/action-form";
import { SubmitButton } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { GitUsernamesForm } from "@/components/previews/git-usernames-form";
import { myGitUsernames } from "@/lib/data/git-usernames";
import { requireTeam } from "@/lib/auth/session";
import { can } from "@/lib/permissions";
import { deleteTeamAction, leaveTeamAction, renameTeamAction } from "./actions";
import { setGitUsernamesAction } from "./git-username-actions";

export const metadata = { title: "Team settings" };

export default async function TeamSettingsPage({ params }: { params: Promise<{ slug: string }> }) {
  const ctx = await requireTeam((await params).slug);
  const team = <input type="hidden" name="team" value={ctx.team.slug} />;
  const mine = await myGitUsernames(ctx);
  return (
    <div className="space-y-6">
      <Card title="Team name" description={`URL: /t/${ctx.team.slug}`}>
        {can(ctx.role, "team.rename") ? (
          <ActionForm action={renameTeamAction}>
            {team}
            <Field label="Name" name="name" defaultValue={ctx.team.name} required />
            <SubmitButton pendingLabel="Saving…">Rename</SubmitButton>
          </ActionForm>
        ) : (
          <p className="text-sm text-slate-600">
            <span className="font-medium text-slate-900">{ctx.team.name}</span> · only admins and owners can rename the team.
          </p>
        )}
      </Card>

      <Card
        title="Your git usernames"
        description={`As a developer or above in ${ctx.team.name}, your pull requests from a service's own repository deploy their previews without waiting for approval.`}
      >
        {can(ctx.role, "member.git-usernames") ? (
          <GitUsernamesForm team={ctx.team.slug} membershipId={mine.membershipId} usernames={mine.gitUsernames} action={setGitUsernamesAction} />
        ) : (
          <p className="text-sm text-slate-600">Viewers' pull requests always wait for a developer's approval, so there is nothing to set here.</p>
        )}
      </Card>

      <Card title="Leave team" description="You lose access to this team until someone invites you again.">
        <ActionForm action={leaveTeamAction} confirm={`Leave ${ctx.team.name}?`}>
          {team}
          <SubmitButton variant="secondary" pendingLabel="Leaving…">
            Leave {ctx.team.name}
          </SubmitButton>
        </ActionForm>
      </Card>

      {can(ctx.role, "team.delete") && (
        <Card tone="danger" title="Delete team" description="Deletes the team, its members' access and its invites. This cannot be undone.">
          <ActionForm action={deleteTeamAction}>
            {team}
            <Field label={`Type "${ctx.team.name}" to confirm`} name="confirm" autoComplete="off" />
            <SubmitButton variant="danger" pendingLabel="Deleting…">
              Delete this team
            </SubmitButton>
          </ActionForm>
        </Card>
      )}
    </div>
  );
}
