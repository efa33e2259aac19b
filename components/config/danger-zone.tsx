// The "Danger zone" of a project or environment page: deleting it, confirmed by typing its name (as a team is
// deleted), with what goes along said before anyone types.
import { ActionForm } from "@/components/ui/action-form";
import { SubmitButton } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import type { ActionState } from "@/lib/http/action-state";

type Action = (prev: ActionState | undefined, form: FormData) => Promise<ActionState>;

export function DangerZone({
  what,
  name,
  action,
  hidden,
  consequences,
}: {
  what: "project" | "environment";
  name: string;
  action: Action;
  hidden: Record<string, string>;
  consequences: string;
}) {
  return (
    <Card tone="danger" title="Danger zone" description={`Delete this ${what}. ${consequences} The audit log keeps a record. This cannot be undone.`}>
      <ActionForm action={action} data-testid={`delete-${what}`}>
        {Object.entries(hidden).map(([k, v]) => (
          <input key={k} type="hidden" name={k} value={v} />
        ))}
        <Field label={`Type "${name}" to confirm`} name="confirm" autoComplete="off" />
        <SubmitButton variant="danger" pendingLabel="Deleting…">
          Delete this {what}
        </SubmitButton>
      </ActionForm>
    </Card>
  );
}
