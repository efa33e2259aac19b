"use client";
// The create-token form's choices. A failed submission keeps what was chosen (the form's echoed values).
import { useActionFormState } from "@/components/ui/action-form";
import { Select } from "@/components/ui/field";

export type ScopeChoice = { scope: string; help: string; allowed: boolean; needs: string };
export type LimitChoice = { id: string; name: string; environments: { id: string; name: string }[] };

export const EXPIRY_DAYS = [
  { days: 7, label: "7 days" },
  { days: 30, label: "30 days" },
  { days: 90, label: "90 days" },
  { days: 365, label: "1 year" },
  { days: 0, label: "Never" },
] as const;

/** The values a failed submission sent back, or undefined. */
function useEchoed(): Record<string, string> | undefined {
  const state = useActionFormState();
  return state && !state.ok ? state.values : undefined;
}

export function ScopeChoices({ choices }: { choices: ScopeChoice[] }) {
  const state = useActionFormState();
  const echoed = useEchoed();
  const error = state?.fields?.scopes;
  return (
    <fieldset aria-describedby={error ? "scopes-error" : undefined}>
      <legend className="text-sm font-medium text-slate-700">Scopes</legend>
      <p className="text-xs text-slate-500">
        The token can do what its scopes cover and your role allows, never more. Write includes deploy; admin includes everything.
      </p>
      <div className="mt-2 grid gap-2 sm:grid-cols-2" key={echoed ? `echo-${JSON.stringify(echoed)}` : "initial"}>
        {choices.map((c) => (
          <label
            key={c.scope}
            className={`flex gap-3 rounded-md border px-3 py-2.5 text-sm ${
              c.allowed
                ? "cursor-pointer border-slate-200 hover:border-slate-300 has-checked:border-brand-500 has-checked:bg-brand-50"
                : "border-dashed border-slate-200 text-slate-400"
            }`}
          >
            <input
              type="checkbox"
              name={`scope:${c.scope}`}
              disabled={!c.allowed}
              defaultChecked={echoed ? Boolean(echoed[`scope:${c.scope}`]) : c.scope === "read"}
              className="mt-0.5 h-4 w-4 shrink-0 accent-brand-600"
            />
            <span>
              <span className={`font-mono font-medium ${c.allowed ? "text-slate-900" : ""}`}>{c.scope}</span>
              <span className={`block text-xs ${c.allowed ? "text-slate-500" : ""}`}>{c.help}</span>
              {!c.allowed && <span className="mt-0.5 block text-xs text-amber-700">Needs the {c.needs} role.</span>}
            </span>
          </label>
        ))}
      </div>
      {error && (
        <p id="scopes-error" className="mt-1 text-sm text-red-600">
          {error[0]}
        </p>
      )}
    </fieldset>
  );
}

export function ExpirySelect() {
  const echoed = useEchoed();
  return (
    <Select key={echoed ? `echo-${echoed.expiresInDays}` : "initial"} label="Expires" name="expiresInDays" defaultValue={echoed?.expiresInDays ?? "90"}>
      {EXPIRY_DAYS.map((e) => (
        <option key={e.days} value={e.days}>
          {e.days ? `In ${e.label}` : e.label}
        </option>
      ))}
    </Select>
  );
}

/** The whole team, one project (all its environments) or one environment. */
export function LimitSelect({ projects }: { projects: LimitChoice[] }) {
  const state = useActionFormState();
  const echoed = useEchoed();
  const error = state?.fields?.projectId ?? state?.fields?.environmentId;
  return (
    <Select key={echoed ? `echo-${echoed.limit}` : "initial"} label="Limited to" name="limit" defaultValue={echoed?.limit ?? ""} error={error}>
      <option value="">The whole team</option>
      {projects.map((p) => (
        <optgroup key={p.id} label={p.name}>
          <option value={`project:${p.id}`}>{p.name}: every environment</option>
          {p.environments.map((e) => (
            <option key={e.id} value={`environment:${e.id}`}>
              {p.name} / {e.name} only
            </option>
          ))}
        </optgroup>
      ))}
    </Select>
  );
}
