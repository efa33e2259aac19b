// A member's usernames on git providers: their pull requests from a service's own repository are a team
// member's, and deploy previews without waiting for approval.
import { ActionForm, type FormAction } from "@/components/ui/action-form";
import { SubmitButton } from "@/components/ui/button";
import { Field } from "@/components/ui/field";

export function GitUsernamesForm({
  team,
  membershipId,
  usernames,
  action,
  label = "Git usernames",
  compact,
}: {
  team: string;
  membershipId: string;
  usernames: string[];
  action: FormAction;
  label?: string;
  compact?: boolean;
}) {
  return (
    <ActionForm action={action} className={compact ? "flex flex-wrap items-end gap-2" : "space-y-3"} data-testid={`git-usernames-${membershipId}`}>
      <input type="hidden" name="team" value={team} />
      <input type="hidden" name="membershipId" value={membershipId} />
      <div className={compact ? "min-w-64 flex-1" : ""}>
        <Field
          label={label}
          name="usernames"
          id={`f-usernames-${membershipId}`}
          defaultValue={usernames.join(", ")}
          placeholder="github:alice, gitlab:alice"
          hint={compact ? undefined : "provider:username, separated by commas; the provider github, gitlab or gitea (Forgejo too). At most 10."}
        />
      </div>
      <SubmitButton variant="secondary" pendingLabel="Saving…">
        Save
      </SubmitButton>
    </ActionForm>
  );
}
