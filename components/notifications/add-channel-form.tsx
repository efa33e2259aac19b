"use client";
// Adding a channel: the kind chosen switches the fields (a URL for webhooks and Slack, addresses for email).
// A refused address is shown under the URL with what to do about it.
import { useState } from "react";
import { ActionForm, type FormAction, useActionFormState } from "@/components/ui/action-form";
import { SubmitButton } from "@/components/ui/button";
import { Field, TextAreaField } from "@/components/ui/field";
import { NewSigningSecret } from "./signing-secret";

const KINDS = [
  { kind: "webhook", label: "Webhook", help: "A signed JSON POST to your URL (Standard Webhooks)." },
  { kind: "slack", label: "Slack", help: "A Slack-compatible incoming webhook (Slack, Mattermost and the like)." },
  { kind: "email", label: "Email", help: "An email to up to 20 addresses, through the outbox." },
] as const;

function ChannelFields() {
  const state = useActionFormState();
  const echoed = state && !state.ok ? state.values : undefined;
  const [kind, setKind] = useState<string>(echoed?.kind ?? "webhook");
  return (
    <>
      <fieldset>
        <legend className="text-sm font-medium text-slate-700">Kind</legend>
        <div className="mt-2 grid gap-2 sm:grid-cols-3">
          {KINDS.map((k) => (
            <label
              key={k.kind}
              className="flex cursor-pointer gap-3 rounded-md border border-slate-200 px-3 py-2.5 text-sm hover:border-slate-300 has-checked:border-brand-500 has-checked:bg-brand-50"
            >
              <input
                type="radio"
                name="kind"
                value={k.kind}
                checked={kind === k.kind}
                onChange={() => setKind(k.kind)}
                className="mt-0.5 h-4 w-4 shrink-0 accent-brand-600"
              />
              <span>
                <span className="font-medium text-slate-900">{k.label}</span>
                <span className="block text-xs text-slate-500">{k.help}</span>
              </span>
            </label>
          ))}
        </div>
      </fieldset>
      <Field label="Name" name="name" placeholder="ops-alerts" maxLength={60} autoComplete="off" className="sm:max-w-sm" />
      {kind === "email" ? (
        <TextAreaField label="Email addresses (1–20, one per line or comma-separated)" name="emails" placeholder="ops@example.com" rows={3} />
      ) : (
        <>
          <Field
            label={kind === "slack" ? "Incoming webhook URL" : "URL"}
            name="url"
            type="url"
            placeholder={kind === "slack" ? "https://hooks.slack.com/services/…" : "https://example.com/hooks/berth"}
            autoComplete="off"
            hint="Kept encrypted; lists show only its origin. Loopback and private addresses are refused unless allowed below."
          />
          <label className="flex items-start gap-2 text-sm">
            <input
              type="checkbox"
              name="allowPrivateNetworks"
              defaultChecked={echoed?.allowPrivateNetworks === "on"}
              className="mt-0.5 h-4 w-4 accent-brand-600"
            />
            <span>
              <span className="font-medium text-slate-700">Allow private networks</span>
              <span className="block text-xs text-slate-500">
                Let this URL reach loopback and private addresses (a receiver on your own network). Link-local and cloud metadata addresses stay refused.
              </span>
            </span>
          </label>
        </>
      )}
    </>
  );
}

/** For admins and owners only (managing channels is theirs), who alone may allow private networks. */
export function AddChannelForm({ team, action }: { team: string; action: FormAction }) {
  return (
    <ActionForm action={action} resetOnSuccess className="space-y-4" data-testid="add-channel">
      <input type="hidden" name="team" value={team} />
      <NewSigningSecret />
      <ChannelFields />
      <SubmitButton pendingLabel="Adding…">Add channel</SubmitButton>
    </ActionForm>
  );
}
