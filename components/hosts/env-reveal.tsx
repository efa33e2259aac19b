"use client";
// Environment variable names are always listed; values only after a developer (or above) asks, which is
// audited. Values are never part of the page's HTML.
import { useActionState } from "react";
import type { ActionState } from "@/lib/http/action-state";

type Action = (prev: ActionState | undefined, form: FormData) => Promise<ActionState>;

export function EnvReveal({ names, action, hidden, canReveal }: { names: string[]; action: Action; hidden: Record<string, string>; canReveal: boolean }) {
  const [state, formAction, pending] = useActionState(action, undefined);
  const values = state?.ok ? state.data : undefined;
  if (names.length === 0) return <p className="text-sm text-slate-500">No environment variables.</p>;
  return (
    <div>
      <dl className="divide-y divide-slate-100 font-mono text-xs" data-testid="env">
        {names.map((n) => (
          <div key={n} className="flex gap-4 py-1.5">
            <dt className="w-56 shrink-0 truncate text-slate-700">{n}</dt>
            <dd className="min-w-0 break-all text-slate-500">{values ? (values[n] ?? "") : "••••••"}</dd>
          </div>
        ))}
      </dl>
      {canReveal && !values && (
        <form action={formAction} className="mt-3">
          {Object.entries(hidden).map(([k, v]) => (
            <input key={k} type="hidden" name={k} value={v} />
          ))}
          <button type="submit" disabled={pending} className="rounded-md px-3 py-1.5 text-sm ring-1 ring-inset ring-slate-300 hover:bg-slate-50">
            {pending ? "Revealing…" : "Reveal values"}
          </button>
          <span className="ml-2 text-xs text-slate-500">Recorded in the audit log.</span>
        </form>
      )}
      {state?.error && <p className="mt-2 text-sm text-red-600">{state.error}</p>}
    </div>
  );
}
