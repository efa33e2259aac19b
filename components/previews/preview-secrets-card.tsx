// Which of an environment's secrets its pull request previews receive, key by key. Admins and owners tick
// them; everyone else sees what is allowed. A preview runs a pull request's code, so nothing is allowed unless chosen.
import { ActionForm, type FormAction } from "@/components/ui/action-form";
import { SubmitButton } from "@/components/ui/button";
import { Badge, Card } from "@/components/ui/card";

export type PreviewSecretChoice = { key: string; scopes: string[]; allowed: boolean };

const SCOPE: Record<string, string> = { team: "team", project: "project", environment: "environment", service: "service" };

export function PreviewSecretsCard({
  secrets,
  canChange,
  action,
  inputs,
}: {
  secrets: PreviewSecretChoice[];
  canChange: boolean;
  action: FormAction;
  inputs: React.ReactNode;
}) {
  const allowed = secrets.filter((s) => s.allowed).length;
  return (
    <Card
      title="Secrets in pull request previews"
      description="Previews cloned from this environment run a pull request's code, perhaps from a fork. They receive only the secrets allowed here; every other secret is left out."
      actions={<Badge color={allowed ? "amber" : "gray"}>{allowed} allowed</Badge>}
    >
      {secrets.length === 0 ? (
        <p className="text-sm text-slate-500">No secrets reach this environment.</p>
      ) : canChange ? (
        <ActionForm action={action} className="space-y-3" data-testid="preview-secrets">
          {inputs}
          <ul className="grid gap-2 sm:grid-cols-2">
            {secrets.map((s) => (
              <li key={s.key}>
                <label className="flex items-center gap-2 text-sm text-slate-700">
                  <input type="checkbox" name="keys" value={s.key} defaultChecked={s.allowed} aria-label={`Allow ${s.key} in previews`} />
                  <span className="font-mono">{s.key}</span>
                  <span className="text-xs text-slate-400">{s.scopes.map((x) => SCOPE[x] ?? x).join(", ")}</span>
                </label>
              </li>
            ))}
          </ul>
          <SubmitButton variant="secondary" pendingLabel="Saving…">
            Save allowed secrets
          </SubmitButton>
        </ActionForm>
      ) : (
        <>
          <ul className="flex flex-wrap gap-2" data-testid="preview-secrets">
            {secrets.map((s) => (
              <li key={s.key} className="font-mono text-xs">
                {s.key} {s.allowed ? <Badge color="amber">allowed</Badge> : <Badge>left out</Badge>}
              </li>
            ))}
          </ul>
          <p className="mt-2 text-xs text-slate-500">Admins and owners choose which secrets previews receive.</p>
        </>
      )}
    </Card>
  );
}
