"use client";
// The deployment's steps in order, each with its duration; the running one counts up live. The step a
// deployment failed in is red with the first line of its error (one it was cancelled in, amber), and the
// steps after it stay pending. Steps a deployment will not run (a rollback neither clones nor builds) are
// not listed; steps it skipped (a redeploy that reused an image built before) say so.
import { useEffect, useState } from "react";
import { STATUS_LABEL, type TimedStep } from "@/lib/deploy/states";
import type { DeploymentStatus } from "@/lib/generated/prisma/enums";
import { formatMs } from "./status-badge";

type StepState = "pending" | "running" | "done" | "failed" | "cancelled" | "skipped";

const TONE: Record<StepState, string> = {
  pending: "border-slate-200 bg-white text-slate-400",
  running: "border-brand-500 bg-brand-50 text-brand-700",
  done: "border-emerald-200 bg-emerald-50 text-emerald-800",
  failed: "border-red-300 bg-red-50 text-red-800",
  cancelled: "border-amber-300 bg-amber-50 text-amber-900",
  skipped: "border-dashed border-slate-200 bg-white text-slate-400",
};

/** Each planned step's state: the last step begun is the one a failure or cancel ended; steps never begun
 *  before a later one began were skipped. Pure, for the component and its tests. */
export function stepStates(planned: DeploymentStatus[], steps: TimedStep[], outcome: DeploymentStatus | null): Map<DeploymentStatus, StepState> {
  const begun = new Set(steps.map((s) => s.status));
  const last = steps.at(-1)?.status;
  const lastIndex = last ? planned.indexOf(last) : -1;
  const states = new Map<DeploymentStatus, StepState>();
  planned.forEach((status, i) => {
    if (!begun.has(status)) states.set(status, i < lastIndex ? "skipped" : "pending");
    else if (status !== last) states.set(status, "done");
    else if (outcome === "FAILED") states.set(status, "failed");
    else if (outcome === "CANCELLED") states.set(status, "cancelled");
    else states.set(status, outcome ? "done" : "running");
  });
  return states;
}

export function DeploymentSteps({
  steps,
  planned,
  outcome,
  error,
}: {
  steps: TimedStep[];
  planned: DeploymentStatus[];
  outcome: DeploymentStatus | null;
  error?: string | null;
}) {
  const [now, setNow] = useState(() => Date.now());
  const states = stepStates(planned, steps, outcome);
  const running = steps.find((s) => states.get(s.status) === "running");
  useEffect(() => {
    if (!running) return;
    const t = setInterval(() => setNow(Date.now()), 200);
    return () => clearInterval(t);
  }, [running]);
  const seen = new Map(steps.map((s) => [s.status, s]));
  return (
    <ol className="flex flex-wrap items-stretch gap-2" data-testid="deployment-steps">
      {planned.map((status) => {
        const s = seen.get(status);
        const state = states.get(status) ?? "pending";
        const ms = s ? (state === "running" ? Math.max(0, now - Date.parse(s.startedAt)) : s.ms) : null;
        return (
          <li key={status} data-step={status} data-state={state} className={`min-w-28 flex-1 rounded-md border px-3 py-2 text-sm ${TONE[state]}`}>
            <div className="flex items-center gap-1.5 font-medium">
              {state === "running" && <span className="h-2 w-2 animate-pulse rounded-full bg-brand-500" />}
              {state === "failed" && <span aria-hidden>✕</span>}
              {STATUS_LABEL[status]}
            </div>
            <div className="text-xs tabular-nums opacity-80">
              {state === "skipped" ? "skipped: image reused" : ms === null ? "—" : state === "failed" ? `failed after ${formatMs(ms)}` : formatMs(ms)}
            </div>
            {state === "failed" && error && (
              <div className="mt-1 line-clamp-2 text-xs" data-testid="failed-step-error" title={error}>
                {error.split("\n")[0]}
              </div>
            )}
          </li>
        );
      })}
      {outcome && (
        <li
          data-step={outcome}
          className={`min-w-28 flex-1 rounded-md border px-3 py-2 text-sm font-medium ${
            outcome === "LIVE"
              ? "border-emerald-300 bg-emerald-100 text-emerald-900"
              : outcome === "FAILED"
                ? "border-red-300 bg-red-50 text-red-800"
                : "border-amber-300 bg-amber-50 text-amber-900"
          }`}
        >
          {STATUS_LABEL[outcome]}
        </li>
      )}
    </ol>
  );
}
