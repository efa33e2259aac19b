// The variables of one owner (team, project, environment or service): values shown for plain variables,
// secrets only as "set"; add or replace, delete, and each key's history with one-click restore.
import Link from "next/link";
import { RelativeTime } from "@/components/time";
import { ActionForm, type FormAction } from "@/components/ui/action-form";
import { SubmitButton } from "@/components/ui/button";
import { Badge, EmptyState } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { SaveAnyway } from "./save-anyway";

type Var = { key: string; secret: boolean; value: string | null; updatedAt: Date };

export function VariableEditor({
  team,
  scope,
  ownerId,
  place,
  path,
  vars,
  canWrite,
  readOnlyReason,
  usage,
  actions,
}: {
  /** The page's set and delete server actions. */
  actions: { set: FormAction; remove: FormAction };
  team: string;
  scope: "TEAM" | "PROJECT" | "ENVIRONMENT" | "SERVICE";
  ownerId?: string;
  /** A project's or environment's variables: its slugs, which the operations address them by. */
  place?: { project: string } | { project: string; env: string };
  path: string;
  vars: Var[];
  canWrite: boolean;
  readOnlyReason?: string;
  /** For shared variables: the services that consume each key. */
  usage?: Record<string, string[]>;
}) {
  const hidden = (
    <>
      <input type="hidden" name="team" value={team} />
      <input type="hidden" name="scope" value={scope} />
      <input type="hidden" name="ownerId" value={ownerId ?? ""} />
      {place && <input type="hidden" name="project" value={place.project} />}
      {place && "env" in place && <input type="hidden" name="env" value={place.env} />}
      <input type="hidden" name="path" value={path} />
    </>
  );
  const historyHref = (key: string) => `/t/${team}/variables/history?${new URLSearchParams({ scope, ownerId: ownerId ?? "", ...place, key, back: path })}`;
  return (
    <div className="space-y-4">
      {vars.length === 0 ? (
        <EmptyState title="No variables yet" />
      ) : (
        <table className="w-full text-sm" data-testid={`variables-${scope.toLowerCase()}`}>
          <tbody className="divide-y divide-slate-100">
            {vars.map((v) => (
              <tr key={v.key} data-testid={`var-${v.key}`} className="align-top">
                <td className="w-1/3 py-2 pr-4 font-mono text-xs font-medium text-slate-800">
                  {v.key}
                  {usage && (
                    <div className="mt-0.5 font-sans font-normal text-slate-500" data-testid={`usage-${v.key}`}>
                      {usage[v.key]?.length ? `used by ${usage[v.key]!.join(", ")}` : "used by no service"}
                    </div>
                  )}
                </td>
                <td className="py-2 pr-4 font-mono text-xs text-slate-600">
                  {v.secret ? (
                    <span className="inline-flex items-center gap-2">
                      <span title="secret value hidden">••••••••</span>
                      <Badge color="amber">secret</Badge>
                    </span>
                  ) : (
                    <span className="break-all">{v.value}</span>
                  )}
                </td>
                <td className="whitespace-nowrap py-2 text-right text-xs text-slate-500">
                  <RelativeTime date={v.updatedAt} /> ·{" "}
                  <Link href={historyHref(v.key)} className="text-brand-600 hover:underline">
                    History
                  </Link>
                  {canWrite && (
                    <ActionForm action={actions.remove} confirm={`Delete ${v.key}?`} className="ml-2 inline-block" showMessage={false}>
                      {hidden}
                      <input type="hidden" name="key" value={v.key} />
                      <button type="submit" className="text-red-600 hover:underline">
                        Delete
                      </button>
                    </ActionForm>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {canWrite ? (
        <ActionForm action={actions.set} resetOnSuccess className="space-y-2 rounded-md bg-slate-50 p-3">
          {hidden}
          <div className="grid gap-3 sm:grid-cols-[14rem_1fr_auto_auto] sm:items-start">
            <Field label="Key" name="key" placeholder="DATABASE_URL" autoComplete="off" className="font-mono" />
            <Field
              label="Value"
              name="value"
              placeholder="postgres://${{ DB_HOST }}/app"
              autoComplete="off"
              hint="Reference others with ${{ KEY }}, ${{ team.KEY }}, ${{ services.api.KEY }}. Setting an existing key replaces it."
            />
            <label className="flex items-center gap-1.5 pt-8 text-sm text-slate-700">
              <input type="checkbox" name="secret" /> Secret
            </label>
            <div className="pt-6">
              <SubmitButton pendingLabel="Saving…">Save</SubmitButton>
            </div>
          </div>
          <SaveAnyway />
        </ActionForm>
      ) : (
        readOnlyReason && <p className="text-sm text-slate-500">{readOnlyReason}</p>
      )}
    </div>
  );
}
