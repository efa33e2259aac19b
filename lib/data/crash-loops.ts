// Crash-looping containers (issue #14). A restart is a report showing a container (same Docker id) with a later
// `startedAt` than its row holds: Docker's restart policy, or anyone starting it again. Restarts are kept only
// while the team has a crash rule, and only for the longest window its rules ask for (CrashLoop.restarts). An
// episode opens when a rule's threshold is reached (one alert per channel), and ends once the container has
// run a whole window without a restart: its next loop is a new episode and alerts again. Restart times are the
// Engine's own (`startedAt`), so windows compare times from one clock. Work happens only on a restart.
import { db, type Tx } from "@/lib/db";
import { env } from "@/lib/env";
import type { ContainerSummary } from "@/lib/hosts/protocol";
import { notify } from "@/lib/data/notifications/notify";

export type CrashRule = { id: string; projectId: string | null; environmentId: string | null; crashRestarts: number; crashWindowMinutes: number };
export type LoopState = { restarts: Date[]; openedAt: Date | null };
export type CrashStep = {
  state: LoopState;
  /** The episode opened with this restart (its key is new). */
  opened: boolean;
  /** Rules whose threshold this restart reached: they alert (once per channel and episode). */
  alert: CrashRule[];
};

const windowMs = (r: CrashRule) => r.crashWindowMinutes * env.crashWindowMinuteMs;
/** The longest window any rule may set (lib/validation/notifications.ts): older rows are forgotten. */
const longestWindowMs = () => 1440 * env.crashWindowMinuteMs;

/** The new start time if the report shows the container started again since its row was written, else null. */
export function restartOf(row: { startedAt: Date | null } | undefined, c: Pick<ContainerSummary, "startedAt">): Date | null {
  if (!row?.startedAt || !c.startedAt) return null;
  const at = new Date(c.startedAt);
  return at.getTime() > row.startedAt.getTime() ? at : null;
}

/** Restarts within `ms` up to and including `at`. */
const within = (restarts: Date[], at: Date, ms: number) => restarts.filter((t) => at.getTime() - t.getTime() < ms).length;

/**
 * One restart at `at` applied to a container's loop under the rules that route to it (non-empty). Null when
 * it is not newer than the last restart seen (a report applied again).
 */
export function crashStep(state: LoopState, at: Date, rules: CrashRule[]): CrashStep | null {
  const last = state.restarts.reduce<Date | null>((m, t) => (!m || t > m ? t : m), null);
  if (last && at <= last) return null;
  const longest = Math.max(...rules.map(windowMs));
  const ended = state.openedAt !== null && (!last || at.getTime() - last.getTime() >= longest);
  const openedAt = ended ? null : state.openedAt;
  const restarts = [...state.restarts, at].filter((t) => at.getTime() - t.getTime() < longest);
  const tripped = rules.filter((r) => within(restarts, at, windowMs(r)) >= r.crashRestarts);
  if (openedAt === null) {
    if (!tripped.length) return { state: { restarts, openedAt: null }, opened: false, alert: [] };
    return { state: { restarts, openedAt: at }, opened: true, alert: tripped };
  }
  // Open: a rule alerts when this restart is the one that reached its threshold (its channel once per episode).
  const alert = tripped.filter((r) => within(restarts, at, windowMs(r)) === r.crashRestarts);
  return { state: { restarts, openedAt }, opened: false, alert };
}

/** "restarted 4 times in 5 min" for the rule that alerts with the shortest window. */
export function crashDetail(restarts: Date[], at: Date, rules: CrashRule[]): string {
  const r = [...rules].sort((a, b) => a.crashWindowMinutes - b.crashWindowMinutes)[0]!;
  return `Restarted ${within(restarts, at, windowMs(r))} times in ${r.crashWindowMinutes} min.`;
}

async function crashRules(tx: Tx, teamId: string): Promise<CrashRule[]> {
  return tx.notificationRule.findMany({
    where: { teamId, events: { has: "container.crash_looping" }, channel: { enabled: true } },
    select: { id: true, projectId: true, environmentId: true, crashRestarts: true, crashWindowMinutes: true },
  });
}

export type Restart = { name: string; labels: Record<string, string>; at: Date };

/**
 * Restarts seen in one report, inside the transaction that wrote the container rows. One query when the team
 * has no crash rule; otherwise a few per restarted container.
 */
export async function noteRestarts(tx: Tx, teamId: string | null, hostId: string, restarts: Restart[]): Promise<void> {
  if (!teamId || !restarts.length) return;
  const rules = await crashRules(tx, teamId);
  if (!rules.length) return;
  // The labels come from the host: a service id counts only if it is this team's.
  const ids = [...new Set(restarts.map((r) => r.labels["berth.service.id"]).filter((id): id is string => Boolean(id)))];
  const services = ids.length
    ? await tx.service.findMany({
        where: { id: { in: ids }, environment: { project: { teamId } } },
        select: { id: true, environmentId: true, environment: { select: { projectId: true } } },
      })
    : [];
  for (const r of restarts) {
    const s = services.find((x) => x.id === r.labels["berth.service.id"]);
    // notify's routing: a rule limited to a project or environment gets only that one's containers.
    const matching = rules.filter(
      (rule) =>
        (rule.projectId === null || rule.projectId === s?.environment.projectId) && (rule.environmentId === null || rule.environmentId === s?.environmentId),
    );
    if (!matching.length) continue;
    const where = { hostId_containerName: { hostId, containerName: r.name } };
    const loop = await tx.crashLoop.upsert({
      where,
      create: { teamId, hostId, containerName: r.name, serviceId: s?.id ?? null },
      update: {},
      select: { restarts: true, openedAt: true },
    });
    const step = crashStep(loop, r.at, matching);
    if (!step) continue;
    await tx.crashLoop.update({
      where,
      data: { restarts: step.state.restarts, openedAt: step.state.openedAt, serviceId: s?.id ?? null, ...(step.alert.length && { alertedAt: new Date() }) },
    });
    if (!step.alert.length || !step.state.openedAt) continue;
    await notify(tx, {
      teamId,
      event: "container.crash_looping",
      key: `crash:${hostId}:${r.name}:${step.state.openedAt.getTime()}`,
      ruleIds: step.alert.map((x) => x.id),
      hostId,
      serviceId: s?.id ?? null,
      containerName: r.name,
      detail: crashDetail(step.state.restarts, r.at, step.alert),
    });
  }
}

/**
 * Forgets loops that saw no restart for longer than any window (their episode is over whatever the rules say;
 * a container that restarted once long ago keeps no row). The control worker runs it now and then.
 */
export async function forgetQuietCrashLoops(now = new Date()): Promise<number> {
  const { count } = await db.crashLoop.deleteMany({ where: { updatedAt: { lt: new Date(now.getTime() - longestWindowMs()) } } });
  return count;
}
