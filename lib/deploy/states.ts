// The deployment state machine, pure: which status may follow which, what is terminal, and how long each
// step took. The control plane applies agent reports through `canMove`, so a late or repeated report can
// never move a deployment backwards or out of a terminal state.
import type { DeploymentStatus } from "@/lib/generated/prisma/enums";

// PULLING is an image service's alternative to CLONING and BUILDING.
export const ACTIVE_ORDER = ["QUEUED", "CLONING", "BUILDING", "PULLING", "STARTING", "HEALTH_CHECK"] as const satisfies readonly DeploymentStatus[];
export const TERMINAL = ["LIVE", "FAILED", "CANCELLED"] as const satisfies readonly DeploymentStatus[];
export type Terminal = (typeof TERMINAL)[number];

export function isTerminal(s: DeploymentStatus): s is Terminal {
  return (TERMINAL as readonly string[]).includes(s);
}

function rank(s: DeploymentStatus): number {
  switch (s) {
    case "QUEUED":
      return 0;
    case "CLONING":
      return 1;
    case "BUILDING":
    case "PULLING":
      return 2;
    case "STARTING":
      return 3;
    case "HEALTH_CHECK":
      return 4;
    case "LIVE":
    case "FAILED":
    case "CANCELLED":
      return 5;
    default: {
      const never: never = s;
      throw new Error(`unknown deployment status ${String(never)}`);
    }
  }
}

/** Forward only; LIVE only from the health check; FAILED and CANCELLED from any active status. */
export function canMove(from: DeploymentStatus, to: DeploymentStatus): boolean {
  if (isTerminal(from) || from === to) return false;
  if (to === "FAILED" || to === "CANCELLED") return true;
  if (to === "LIVE") return from === "HEALTH_CHECK";
  return rank(to) > rank(from);
}

export const STATUS_LABEL: Record<DeploymentStatus, string> = {
  QUEUED: "Queued",
  CLONING: "Cloning",
  BUILDING: "Building",
  PULLING: "Pulling the image",
  STARTING: "Starting",
  HEALTH_CHECK: "Checking health",
  LIVE: "Live",
  FAILED: "Failed",
  CANCELLED: "Cancelled",
};

export type Step = { status: DeploymentStatus; at: string };

/** The recorded steps with `status` beginning now (each transition is written once, with its time). */
export function withStep(steps: unknown, status: DeploymentStatus, now: Date): Step[] {
  return [...(steps as Step[]), { status, at: now.toISOString() }];
}

/** The columns that end a deployment now, whoever ends it: its terminal status and step, and no lease. */
export function ending(steps: unknown, status: Terminal, now: Date) {
  return { status, finishedAt: now, leaseExpiresAt: null, steps: withStep(steps, status, now) };
}
export type TimedStep = { status: DeploymentStatus; startedAt: string; ms: number | null; running: boolean };

/** Each recorded step with its duration: until the next step began, or until `end` (the finish, or now). */
export function timedSteps(steps: Step[], finishedAt: Date | null, now = new Date()): TimedStep[] {
  const active = steps.filter((s) => !isTerminal(s.status));
  return active.map((s, i) => {
    const next = active[i + 1]?.at ?? finishedAt?.toISOString() ?? null;
    const end = next ? Date.parse(next) : now.getTime();
    return { status: s.status, startedAt: s.at, ms: Math.max(0, end - Date.parse(s.at)), running: !next };
  });
}

/**
 * Steps a deployment runs: a git service's clones and builds, an image service's pulls; a rollback or
 * promotion reuses a release's image, so there is nothing to clone or build, and nothing to pull unless the
 * release ran on another host (`pullsRelease`: it comes from Berth's registry).
 */
export function plannedSteps(reusesImage: boolean, source: "git" | "image" = "git", pullsRelease = false): DeploymentStatus[] {
  if (reusesImage) return pullsRelease ? ["QUEUED", "PULLING", "STARTING", "HEALTH_CHECK"] : ["QUEUED", "STARTING", "HEALTH_CHECK"];
  return source === "image" ? ["QUEUED", "PULLING", "STARTING", "HEALTH_CHECK"] : ["QUEUED", "CLONING", "BUILDING", "STARTING", "HEALTH_CHECK"];
}
