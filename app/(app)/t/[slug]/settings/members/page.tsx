import { Forbidden } from "@/components/forbidden";
import { RoleBadge } from "@/components/role-badge";
import { CopyResult } from "@/components/ui/copy-result";
import { RelativeTime } from "@/components/time";
import { ActionForm } from "@/components/ui/action-form";
import { SubmitButton } from "@/components/ui/button";
import { Badge, Card, EmptyState } from "@/components/ui/card";
import { Field, Select } from "@/components/ui/field";
import { requireTeam } from "@/lib/auth/session";
import { listInvites } from "@/lib/data/invites";
import { listMembers } from "@/lib/data/members";
import { can, canAssignRole, canRemoveMember, ROLE_LABEL, ROLES } from "@/lib/permissions";
import { INVITE_DAYS_DEFAULT } from "@/lib/validation/schemas";
import { GitUsernamesForm } from "@/components/previews/git-usernames-form";
import { setGitUsernamesAction } from "../git-username-actions";
import { changeRoleAction, createInviteAction, removeMemberAction, revokeInviteAction } from "./actions";

export const metadata = { title: "Members" };

export default async function MembersPage({ params }: { params: Promise<{ slug: string }> }) {
  const ctx = await requireTeam((await params).slug);
  if (!can(ctx.role, "member.manage")) return <Forbidden what="Only admins and owners manage members and invites." />;
  const [members, invites] = await Promise.all([listMembers(ctx), listInvites(ctx)]);
  const team = <input type="hidden" name="team" value={ctx.team.slug} />;
  const invitable = ROLES.filter((r) => canAssignRole(ctx.role, null, r));

  return (
    <div className="space-y-6">
      <Card title="Invite someone" description="The link works once, only for the email you enter, until it expires.">
        <ActionForm action={createInviteAction} resetOnSuccess>
          {team}
          <CopyResult testId="invite-link" />
          <div className="grid gap-4 sm:grid-cols-[1fr_10rem_8rem]">
            <Field label="Email" name="email" type="email" placeholder="teammate@example.com" required />
            <Select label="Role" name="role" defaultValue="DEVELOPER">
              {invitable.map((r) => (
                <option key={r} value={r}>
                  {ROLE_LABEL[r]}
                </option>
              ))}
            </Select>
            <Field label="Expires in (days)" name="expiresInDays" type="number" min={1} max={30} defaultValue={INVITE_DAYS_DEFAULT} />
          </div>
          <SubmitButton pendingLabel="Inviting…">Create invite</SubmitButton>
        </ActionForm>
      </Card>

      <Card title={`Members (${members.length})`}>
        <ul className="divide-y divide-slate-100" data-testid="members">
          {members.map((m) => {
            const self = m.user.id === ctx.actor.id;
            const roles = ROLES.filter((r) => r === m.role || canAssignRole(ctx.role, m.role, r));
            return (
              <li key={m.id} className="flex flex-wrap items-center justify-between gap-3 py-3" data-testid={`member-${m.user.email}`}>
                <div className="min-w-0">
                  <p className="truncate text-sm font-medium">
                    {m.user.name} {self && <span className="text-slate-400">(you)</span>}
                  </p>
                  <p className="truncate text-xs text-slate-500">
                    {m.user.email} · joined <RelativeTime date={m.createdAt} />
                  </p>
                  <details className="mt-1 text-xs text-slate-500">
                    <summary className="cursor-pointer">Git usernames: {m.gitUsernames.length ? m.gitUsernames.join(", ") : "none"}</summary>
                    <div className="mt-2">
                      <GitUsernamesForm
                        team={ctx.team.slug}
                        membershipId={m.id}
                        usernames={m.gitUsernames}
                        action={setGitUsernamesAction}
                        label={`Git usernames of ${m.user.name}`}
                        compact
                      />
                    </div>
                  </details>
                </div>
                <div className="flex items-center gap-2">
                  {roles.length > 1 && !self ? (
                    <ActionForm action={changeRoleAction} className="flex items-center gap-2">
                      {team}
                      <input type="hidden" name="membershipId" value={m.id} />
                      <select
                        name="role"
                        defaultValue={m.role}
                        aria-label={`Role of ${m.user.email}`}
                        className="rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm"
                      >
                        {roles.map((r) => (
                          <option key={r} value={r}>
                            {ROLE_LABEL[r]}
                          </option>
                        ))}
                      </select>
                      <SubmitButton variant="secondary" pendingLabel="…">
                        Save
                      </SubmitButton>
                    </ActionForm>
                  ) : (
                    <RoleBadge role={m.role} />
                  )}
                  {!self && canRemoveMember(ctx.role, m.role) && (
                    <ActionForm action={removeMemberAction} confirm={`Remove ${m.user.email} from ${ctx.team.name}?`} className="flex items-center gap-2">
                      {team}
                      <input type="hidden" name="membershipId" value={m.id} />
                      <SubmitButton variant="ghost" pendingLabel="Removing…">
                        Remove
                      </SubmitButton>
                    </ActionForm>
                  )}
                </div>
              </li>
            );
          })}
        </ul>
      </Card>

      <Card title="Pending invites">
        {invites.length === 0 ? (
          <EmptyState title="No pending invites">Invites you create appear here until they are accepted.</EmptyState>
        ) : (
          <ul className="divide-y divide-slate-100" data-testid="invites">
            {invites.map((i) => (
              <li key={i.id} className="flex flex-wrap items-center justify-between gap-3 py-3">
                <div className="min-w-0">
                  <p className="truncate text-sm font-medium">{i.email}</p>
                  <p className="text-xs text-slate-500">
                    {i.status === "expired" ? "expired " : "expires "}
                    <RelativeTime date={i.expiresAt} /> · invited by {i.createdBy?.email ?? "a former member"}
                  </p>
                </div>
                <div className="flex items-center gap-2">
                  <RoleBadge role={i.role} />
                  {i.status === "expired" && <Badge color="amber">Expired</Badge>}
                  <ActionForm action={revokeInviteAction} className="flex items-center gap-2">
                    {team}
                    <input type="hidden" name="inviteId" value={i.id} />
                    <SubmitButton variant="ghost" pendingLabel="Revoking…">
                      {i.status === "expired" ? "Dismiss" : "Revoke"}
                    </SubmitButton>
                  </ActionForm>
                </div>
              </li>
            ))}
          </ul>
        )}
      </Card>
    </div>
  );
}
