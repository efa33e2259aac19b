"use client";
// Start/stop/restart/kill/remove buttons for one container. Each shows progress while the agent works
// and Docker's own error when it refuses.
import { useActionState } from "react";
import type { ActionState } from "@/lib/http/action-state";

type Action = (prev: ActionState | undefined, form: FormData) => Promise<ActionState>;

const LABEL = { start: "Start", stop: "Stop", restart: "Restart", kill: "Kill", remove: "Remove" } as const;

export function ContainerActions({
  action,
  team,
  hostId,
  dockerId,
  name,
  state,
}: {
  action: Action;
  team: string;
  hostId: string;
  dockerId: string;
  name: string;
  state: string;
}) {
  const [result, formAction, pending] = useActionState(action, undefined);
  const running = state === "running" || state === "restarting" || state === "paused";
  const available: (keyof typeof LABEL)[] = running ? ["stop", "restart", "kill"] : ["start", "remove"];
  return (
    <form
      action={formAction}
      className="flex flex-wrap items-center justify-end gap-1"
      onSubmit={(e) => {
        const which = (e.nativeEvent as SubmitEvent).submitter?.getAttribute("value");
        if (which === "remove" && !window.confirm(`Remove container ${name}? This cannot be undone.`)) e.preventDefault();
        if (which === "kill" && !window.confirm(`Kill ${name}? It gets no chance to shut down cleanly.`)) e.preventDefault();
      }}
    >
      <input type="hidden" name="team" value={team} />
      <input type="hidden" name="hostId" value={hostId} />
      <input type="hidden" name="dockerId" value={dockerId} />
      {pending ? (
        <span className="px-2 text-xs text-slate-500">Working…</span>
      ) : (
        available.map((a) => (
          <button
            key={a}
            type="submit"
            name="action"
            value={a}
            className={`rounded px-2 py-1 text-xs font-medium ring-1 ring-inset ${a === "remove" || a === "kill" ? "text-red-700 ring-red-200 hover:bg-red-50" : "text-slate-700 ring-slate-300 hover:bg-slate-50"}`}
          >
            {LABEL[a]}
          </button>
        ))
      )}
      {result?.error && !pending && (
        <p role="alert" className="basis-full text-right text-xs text-red-600">
          {result.error}
        </p>
      )}
    </form>
  );
}
