"use client";
// The deployment's steps in order, each with its duration; the running one counts up live. Steps a
// deployment will not run (a rollback neither clones nor builds) are not listed.
import { useEffect, useState } from "react";
import { STATUS_LABEL, type TimedStep } from "@/lib/deploy/states";
import type { DeploymentStatus } from "@/lib/generated/prisma/enums";
import { formatMs } from "./status-badge";

export function DeploymentSteps({ steps, planned, outcome }: { steps: TimedStep[]; planned: DeploymentStatus[]; outcome: DeploymentStatus | null }) {
  const [now, setNow] = useState(() => Date.now());
  const running = steps.find((s) => s.running && !outcome);
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
        const isRunning = s && s === running;
        const ms = s ? (isRunning ? Math.max(0, now - Date.parse(s.startedAt)) : s.ms) : null;
        const tone = !s ? "border-slate-200 bg-white text-slate-400" : isRunning ? "border-brand-500 bg-brand-50 text-brand-700" : "border-emerald-200 bg-emerald-50 text-emerald-800";
        return (
          <li key={status} data-step={status} data-state={!s ? "pending" : isRunning ? "running" : "done"} className={`min-w-28 flex-1 rounded-md border px-3 py-2 text-sm ${tone}`}>
            <div className="flex items-center gap-1.5 font-medium">
              {isRunning && <span className="h-2 w-2 animate-pulse rounded-full bg-brand-500" />}
              {STATUS_LABEL[status]}
            </div>
            <div className="text-xs tabular-nums opacity-80">{ms === null ? "—" : formatMs(ms)}</div>
          </li>
        );
      })}
      {outcome && (
        <li
          data-step={outcome}
          className={`min-w-28 flex-1 rounded-md border px-3 py-2 text-sm font-medium ${
            outcome === "LIVE" ? "border-emerald-300 bg-emerald-100 text-emerald-900" : outcome === "FAILED" ? "border-red-300 bg-red-50 text-red-800" : "border-amber-300 bg-amber-50 text-amber-900"
          }`}
        >
          {STATUS_LABEL[outcome]}
        </li>
      )}
    </ol>
  );
}
