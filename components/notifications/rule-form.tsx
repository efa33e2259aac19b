"use client";
// A rule's fields: which events, for the whole team or one project or environment, and (when crash loops
// are chosen) how many restarts within how many minutes count as one.
import { useState } from "react";
import { ActionForm, type FormAction, useActionFormState } from "@/components/ui/action-form";
import { SubmitButton } from "@/components/ui/button";
import { Field, Select } from "@/components/ui/field";
import { EVENT_LABELS, NOTIFICATION_EVENTS } from "@/lib/notify/events";

export type RoutingChoice = { id: string; name: string; environments: { id: string; name: string }[] };
export type RuleDefaults = { events: string[]; limit: string; crashRestarts: number; crashWindowMinutes: number };

const NEW_RULE: RuleDefaults = { events: ["deployment.failed"], limit: "", crashRestarts: 3, crashWindowMinutes: 5 };

function RuleFields({ projects, rule, idPrefix }: { projects: RoutingChoice[]; rule: RuleDefaults; idPrefix: string }) {
  const state = useActionFormState();
  const echoed = state && !state.ok ? state.values : undefined;
  const checked = (e: string) => (echoed ? Boolean(echoed[`event:${e}`]) : rule.events.includes(e));
  const [crash, setCrash] = useState(checked("container.crash_looping"));
  const eventsError = Object.entries(state?.fields ?? {}).find(([k]) => k === "events" || k.startsWith("events."))?.[1];
  const routingError = state?.fields?.projectId ?? state?.fields?.environmentId;
  return (
    <div className="space-y-3" key={echoed ? `echo-${JSON.stringify(echoed)}` : "initial"}>
      <fieldset>
        <legend className="text-sm font-medium text-slate-700">Events</legend>
        <div className="mt-1.5 grid gap-1.5 sm:grid-cols-2">
          {NOTIFICATION_EVENTS.map((e) => (
            <label key={e} className="flex items-center gap-2 text-sm text-slate-700">
              <input
                type="checkbox"
                name={`event:${e}`}
                defaultChecked={checked(e)}
                onChange={e === "container.crash_looping" ? (ev) => setCrash(ev.currentTarget.checked) : undefined}
                className="h-4 w-4 accent-brand-600"
              />
              {EVENT_LABELS[e]}
            </label>
          ))}
        </div>
        {eventsError && <p className="mt-1 text-sm text-red-600">{eventsError[0]}</p>}
      </fieldset>
      <Select label="For" name="limit" id={`${idPrefix}-limit`} defaultValue={echoed?.limit ?? rule.limit} error={routingError} className="sm:max-w-md">
        <option value="">The whole team (every project, and hosts)</option>
        {projects.map((p) => (
          <optgroup key={p.id} label={p.name}>
            <option value={`project:${p.id}`}>{p.name}: every environment</option>
            {p.environments.map((env) => (
              <option key={env.id} value={`environment:${env.id}`}>
                {p.name} / {env.name} only
              </option>
            ))}
          </optgroup>
        ))}
      </Select>
      {crash ? (
        <div className="grid gap-3 sm:max-w-md sm:grid-cols-2" data-testid="crash-thresholds">
          <Field
            label="Restarts (2–100)"
            name="crashRestarts"
            id={`${idPrefix}-restarts`}
            type="number"
            min={2}
            max={100}
            defaultValue={String(rule.crashRestarts)}
            hint="A container restarting this often…"
          />
          <Field
            label="Within minutes (1–1440)"
            name="crashWindowMinutes"
            id={`${idPrefix}-window`}
            type="number"
            min={1}
            max={1440}
            defaultValue={String(rule.crashWindowMinutes)}
            hint="…is crash-looping: one alert per episode."
          />
        </div>
      ) : (
        <>
          <input type="hidden" name="crashRestarts" value={rule.crashRestarts} />
          <input type="hidden" name="crashWindowMinutes" value={rule.crashWindowMinutes} />
        </>
      )}
    </div>
  );
}

/** A new rule on `channelId`, or (with `ruleId`) an existing rule's new settings. */
export function RuleForm({
  team,
  action,
  projects,
  channelId,
  ruleId,
  rule = NEW_RULE,
}: {
  team: string;
  action: FormAction;
  projects: RoutingChoice[];
  channelId?: string;
  ruleId?: string;
  rule?: RuleDefaults;
}) {
  return (
    <ActionForm action={action} resetOnSuccess={!ruleId} className="space-y-3" data-testid={ruleId ? `rule-form-${ruleId}` : `new-rule-${channelId}`}>
      <input type="hidden" name="team" value={team} />
      {channelId && <input type="hidden" name="channelId" value={channelId} />}
      {ruleId && <input type="hidden" name="ruleId" value={ruleId} />}
      <RuleFields projects={projects} rule={rule} idPrefix={ruleId ?? `new-${channelId}`} />
      <SubmitButton variant="secondary" pendingLabel="Saving…">
        {ruleId ? "Save rule" : "Add rule"}
      </SubmitButton>
    </ActionForm>
  );
}
