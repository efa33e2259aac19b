// One channel on the settings page: its kind, target (the URL's origin, or the addresses), whether it is on,
// its rules, and for admins Send test, Disable/Enable, Edit, Rotate secret and Delete.
import Link from "next/link";
import { ActionForm, type FormAction } from "@/components/ui/action-form";
import { SubmitButton } from "@/components/ui/button";
import { Badge } from "@/components/ui/card";
import { Field, TextAreaField } from "@/components/ui/field";
import { EVENT_LABELS, type NotificationEvent } from "@/lib/notify/events";
import { RuleForm, type RoutingChoice } from "./rule-form";
import { NewSigningSecret } from "./signing-secret";

type Place = { id: string; name: string } | null;
export type ChannelView = {
  id: string;
  name: string;
  kind: string;
  urlLabel: string | null;
  emails: string[];
  allowPrivateNetworks: boolean;
  enabled: boolean;
  rules: { id: string; events: string[]; project: Place; environment: Place; crashRestarts: number; crashWindowMinutes: number }[];
};

export type ChannelActions = {
  update: FormAction;
  remove: FormAction;
  rotate: FormAction;
  test: FormAction;
  createRule: FormAction;
  updateRule: FormAction;
  deleteRule: FormAction;
};

const KIND_LABEL: Record<string, string> = { webhook: "Webhook", slack: "Slack", email: "Email" };

function routing(r: ChannelView["rules"][number]) {
  if (r.environment && r.project) return `${r.project.name} / ${r.environment.name} only`;
  if (r.project) return `${r.project.name}, every environment`;
  return "the whole team";
}

function ruleSummary(r: ChannelView["rules"][number]) {
  const events = r.events.map((e) => {
    const label = EVENT_LABELS[e as NotificationEvent] ?? e;
    return e === "container.crash_looping" ? `${label} (${r.crashRestarts}× in ${r.crashWindowMinutes} min)` : label;
  });
  return `${events.join(", ")}: ${routing(r)}`;
}

/** A one-button form posting the channel's id (and `extra` fields). */
function ChannelButton({
  action,
  team,
  channelId,
  label,
  pending,
  confirm,
  danger,
  extra,
  children,
}: {
  action: FormAction;
  team: string;
  channelId: string;
  label: string;
  pending: string;
  confirm?: string;
  danger?: boolean;
  extra?: Record<string, string>;
  children?: React.ReactNode;
}) {
  return (
    <ActionForm action={action} confirm={confirm} className="space-y-2">
      <input type="hidden" name="team" value={team} />
      <input type="hidden" name="channelId" value={channelId} />
      {Object.entries(extra ?? {}).map(([k, v]) => (
        <input key={k} type="hidden" name={k} value={v} />
      ))}
      {children}
      <SubmitButton variant={danger ? "ghostDanger" : "ghost"} pendingLabel={pending}>
        {label}
      </SubmitButton>
    </ActionForm>
  );
}

export function ChannelCard({
  channel: c,
  team,
  manage,
  projects,
  actions,
  deliveriesHref,
}: {
  channel: ChannelView;
  team: string;
  manage: boolean;
  projects: RoutingChoice[];
  actions: ChannelActions;
  deliveriesHref: string;
}) {
  const target = c.kind === "email" ? c.emails.join(", ") : (c.urlLabel ?? "");
  return (
    <section className="rounded-lg border border-slate-200 bg-white shadow-sm" data-testid={`channel-${c.name}`}>
      <header className="flex flex-wrap items-start justify-between gap-3 border-b border-slate-100 px-5 py-4">
        <div className="min-w-0">
          <div className="flex flex-wrap items-center gap-2">
            <h3 className="text-base font-semibold text-slate-900">{c.name}</h3>
            <Badge color="blue">{KIND_LABEL[c.kind] ?? c.kind}</Badge>
            {c.enabled ? <Badge color="green">Enabled</Badge> : <Badge color="gray">Disabled</Badge>}
            {c.allowPrivateNetworks && <Badge color="amber">Private networks allowed</Badge>}
          </div>
          <p className="mt-1 truncate font-mono text-xs text-slate-500" title={target} data-testid="channel-target">
            {target}
            {c.kind !== "email" && <span className="font-sans text-slate-400"> (path hidden)</span>}
          </p>
        </div>
        <div className="flex flex-wrap items-start gap-1">
          <Link href={deliveriesHref} className="rounded-md px-3.5 py-2 text-sm font-medium text-brand-600 hover:bg-slate-100">
            Deliveries
          </Link>
          {manage && (
            <>
              <ChannelButton action={actions.test} team={team} channelId={c.id} label="Send test" pending="Queuing…" />
              <ChannelButton
                action={actions.update}
                team={team}
                channelId={c.id}
                label={c.enabled ? "Disable" : "Enable"}
                pending="Saving…"
                extra={{ enabled: c.enabled ? "false" : "true" }}
              />
              <ChannelButton
                action={actions.remove}
                team={team}
                channelId={c.id}
                label="Delete"
                pending="Deleting…"
                danger
                confirm={`Delete ${c.name} with its rules and deliveries?`}
              />
            </>
          )}
        </div>
      </header>
      <div className="space-y-4 px-5 py-4">
        <div>
          <h4 className="text-sm font-medium text-slate-700">Rules</h4>
          {c.rules.length === 0 ? (
            <p className="mt-1 text-sm text-amber-700" data-testid="no-rules">
              No rules yet: this channel receives nothing until {manage ? "you add a rule below" : "an admin adds a rule"}.
            </p>
          ) : (
            <ul className="mt-1 divide-y divide-slate-100 rounded-md border border-slate-200" data-testid="rules">
              {c.rules.map((r) => (
                <li key={r.id} className="px-3 py-2 text-sm text-slate-700">
                  {manage ? (
                    <details>
                      <summary className="flex cursor-pointer list-none flex-wrap items-center justify-between gap-2">
                        <span>{ruleSummary(r)}</span>
                        <span className="text-xs text-brand-600">Edit</span>
                      </summary>
                      <div className="mt-3 space-y-2 border-t border-slate-100 pt-3">
                        <RuleForm
                          team={team}
                          action={actions.updateRule}
                          projects={projects}
                          ruleId={r.id}
                          rule={{
                            events: r.events,
                            limit: r.environment ? `environment:${r.environment.id}` : r.project ? `project:${r.project.id}` : "",
                            crashRestarts: r.crashRestarts,
                            crashWindowMinutes: r.crashWindowMinutes,
                          }}
                        />
                        <ActionForm action={actions.deleteRule} confirm="Delete this rule?">
                          <input type="hidden" name="team" value={team} />
                          <input type="hidden" name="ruleId" value={r.id} />
                          <SubmitButton variant="ghostDanger" pendingLabel="Deleting…">
                            Delete rule
                          </SubmitButton>
                        </ActionForm>
                      </div>
                    </details>
                  ) : (
                    ruleSummary(r)
                  )}
                </li>
              ))}
            </ul>
          )}
        </div>
        {manage && (
          <>
            <details className="rounded-md border border-slate-200 px-3 py-2" open={c.rules.length === 0}>
              <summary className="cursor-pointer text-sm font-medium text-brand-600">Add a rule</summary>
              <div className="mt-3">
                <RuleForm team={team} action={actions.createRule} projects={projects} channelId={c.id} />
              </div>
            </details>
            <details className="rounded-md border border-slate-200 px-3 py-2">
              <summary className="cursor-pointer text-sm font-medium text-brand-600">Edit channel</summary>
              <ActionForm action={actions.update} className="mt-3 space-y-3">
                <input type="hidden" name="team" value={team} />
                <input type="hidden" name="channelId" value={c.id} />
                <Field label="Name" name="name" id={`name-${c.id}`} defaultValue={c.name} maxLength={60} className="sm:max-w-sm" />
                {c.kind === "email" ? (
                  <TextAreaField label="Email addresses" name="emails" defaultValue={c.emails.join("\n")} rows={3} />
                ) : (
                  <>
                    <Field
                      label="New URL"
                      name="url"
                      id={`url-${c.id}`}
                      type="url"
                      autoComplete="off"
                      placeholder={`${c.urlLabel ?? "https://…"}/…`}
                      hint="Leave empty to keep the current URL (it is never shown)."
                    />
                    <label className="flex items-center gap-2 text-sm text-slate-700">
                      <input type="hidden" name="allowPrivateNetworks" value="false" />
                      <input type="checkbox" name="allowPrivateNetworks" defaultChecked={c.allowPrivateNetworks} className="h-4 w-4 accent-brand-600" />
                      Allow private networks
                    </label>
                  </>
                )}
                <SubmitButton variant="secondary" pendingLabel="Saving…">
                  Save channel
                </SubmitButton>
              </ActionForm>
              {c.kind === "webhook" && (
                <div className="mt-4 border-t border-slate-100 pt-3">
                  <p className="text-sm text-slate-600">A new signing secret replaces the current one at once: update your receiver with it.</p>
                  <ChannelButton
                    action={actions.rotate}
                    team={team}
                    channelId={c.id}
                    label="Rotate signing secret"
                    pending="Rotating…"
                    confirm={`Replace ${c.name}'s signing secret? Messages are signed with the new one from now on.`}
                  >
                    <NewSigningSecret />
                  </ChannelButton>
                </div>
              )}
            </details>
          </>
        )}
      </div>
    </section>
  );
}
