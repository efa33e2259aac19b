// A git service's pull request previews: opt in, base environment, time to live and the commit status token
// (write-only: shown as set or not, replaced by typing a new one, removed with its box).
import { ActionForm, type FormAction } from "@/components/ui/action-form";
import { SubmitButton } from "@/components/ui/button";
import { Badge, Card } from "@/components/ui/card";
import { Field, Select } from "@/components/ui/field";

export type PreviewSettingsView = {
  serviceId: string;
  previewsEnabled: boolean;
  previewBaseEnvironmentId: string;
  previewTtlHours: number;
  statusTokenSet: boolean;
  /** The service is a pull request preview's copy: its settings live on the service it was cloned from. */
  inPreview: boolean;
  webhookUrl: string;
  environments: { id: string; name: string; protected: boolean }[];
};

export function PreviewSettingsCard({
  settings: s,
  branch,
  canChange,
  action,
  inputs,
}: {
  settings: PreviewSettingsView;
  branch: string;
  canChange: boolean;
  action: FormAction;
  inputs: React.ReactNode;
}) {
  const base = s.environments.find((e) => e.id === s.previewBaseEnvironmentId);
  if (s.inPreview)
    return (
      <Card title="Pull request previews" description="This service is a pull request's preview: it builds the pull request's head commit.">
        <p className="text-sm text-slate-600">Preview settings live on the service it was cloned from; closing the pull request removes this environment.</p>
      </Card>
    );
  return (
    <Card
      title="Pull request previews"
      description={`A pull or merge request against ${branch} gets its own environment pr-<number>, cloned from a base environment, with its head commit deployed and its URL shown on the project's environment list.`}
      actions={s.previewsEnabled ? <Badge color="green">on</Badge> : <Badge>off</Badge>}
    >
      <div data-testid="preview-settings">
        <p className="mb-3 text-sm text-slate-600">
          Uses the webhook above: in the git host, let it <strong>send pull request events too</strong> (GitHub: &ldquo;Pull requests&rdquo;; GitLab:
          &ldquo;Merge request events&rdquo;; Gitea: &ldquo;Pull Request&rdquo;). Pull requests from forks, or by authors who are not developers of the team
          (members set their git usernames in the team settings), wait until a developer approves their exact commit. Previews receive only the secrets the base
          environment&apos;s admins allow.
        </p>
        {canChange ? (
          <ActionForm action={action} className="space-y-4">
            {inputs}
            <label className="flex items-center gap-2 text-sm text-slate-700">
              <input type="checkbox" name="previewsEnabled" defaultChecked={s.previewsEnabled} /> Deploy a preview for each pull request
            </label>
            <div className="grid gap-4 sm:grid-cols-2">
              <Select label="Base environment" name="previewBaseEnvironmentId" defaultValue={s.previewBaseEnvironmentId}>
                {s.environments.map((e) => (
                  <option key={e.id} value={e.id}>
                    {e.name}
                    {e.protected ? " (protected: admins choose it)" : ""}
                  </option>
                ))}
              </Select>
              <Field
                label="Time to live (hours)"
                name="previewTtlHours"
                type="number"
                min={1}
                max={720}
                defaultValue={s.previewTtlHours}
                hint="Removed this long after its last push (1–720)."
              />
            </div>
            <Field
              label={`Commit status token (${s.statusTokenSet ? "set" : "not set"})`}
              name="previewStatusToken"
              type="password"
              autoComplete="off"
              placeholder={s.statusTokenSet ? "•••••• (leave empty to keep)" : "optional"}
              hint="A token that may set commit statuses (GitHub: Commit statuses write; GitLab: api; Gitea: repository write). The pull request then shows berth/preview."
            />
            {s.statusTokenSet && (
              <label className="flex items-center gap-2 text-sm text-slate-700">
                <input type="checkbox" name="clearStatusToken" /> Remove the status token
              </label>
            )}
            <SubmitButton pendingLabel="Saving…">Save preview settings</SubmitButton>
          </ActionForm>
        ) : (
          <p className="text-sm text-slate-600">
            {s.previewsEnabled ? `On: cloned from ${base?.name ?? "?"}, kept ${s.previewTtlHours} h after the last push.` : "Off."} Status token{" "}
            {s.statusTokenSet ? "set" : "not set"}.
          </p>
        )}
      </div>
    </Card>
  );
}
