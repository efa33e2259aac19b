// Worker side: a host's containers as its agent reports them (snapshots, and one report per Docker event),
// written only where they differ from what Postgres holds. A snapshot reads the host's rows once and writes the
// rows that changed, adds the new and deletes the missing; an unchanged snapshot writes no container row at all.
// Reports carry the agent's time, and a row is never overwritten or deleted by a report older than the one it
// comes from (a snapshot taken before an event can be delivered after it). What changed is returned as the live
// patches the team is told (lib/live/channels.ts), with the host's counts per state when they may have moved.
// Their commits are asynchronous (host-reports.ts `asyncCommit`): the next snapshot restates all of it. What
// runs for every report (the reads, an unchanged snapshot, a container's new state) goes through the report
// pool (report-pool.ts); a snapshot that changed rows, and a new container, through Prisma.
import { db, type Tx } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import { CONTAINER_STATES, type ContainerSummary } from "@/lib/hosts/protocol";
import type { ContainerPatch, HostPatch } from "@/lib/live/channels";
import { noteRestarts, type Restart, restartOf } from "./crash-loops";
import { asyncCommit, markHostSeen } from "./host-reports";
import { reportQuery } from "./report-pool";

const ROW = {
  dockerId: true,
  name: true,
  image: true,
  imageId: true,
  command: true,
  state: true,
  status: true,
  health: true,
  ports: true,
  labels: true,
  restartPolicy: true,
  exitCode: true,
  createdAt: true,
  startedAt: true,
  finishedAt: true,
  reportedAt: true,
} satisfies Prisma.ContainerSelect;
type Row = Prisma.ContainerGetPayload<{ select: typeof ROW }>;
/** ROW's columns in SQL, of the table aliased `c`. */
const COLUMNS = Object.keys(ROW)
  .map((k) => `c."${k}"`)
  .join(", ");

/** What a report changed: the host's patch (came online, counts per state) and its containers' rows; null: nothing. */
export type ContainersOutcome = {
  teamId: string | null;
  host: HostPatch | null;
  /** `resync`: a write did not land as read (a concurrent change): the list should be read again. */
  containers: { upserted: ContainerPatch[]; removed: string[]; resync: boolean } | null;
} | null;

function containerData(c: ContainerSummary, reportedAt: Date) {
  return {
    name: c.name,
    image: c.image,
    imageId: c.imageId,
    command: c.command,
    state: c.state,
    status: c.status,
    health: c.health,
    ports: c.ports,
    labels: c.labels,
    restartPolicy: c.restartPolicy,
    exitCode: c.exitCode,
    createdAt: new Date(c.createdAt),
    startedAt: c.startedAt ? new Date(c.startedAt) : null,
    finishedAt: c.finishedAt ? new Date(c.finishedAt) : null,
    reportedAt,
  };
}

/** Equal as stored: times by instant, JSON whatever its key order (jsonb keeps its own). */
function same(a: unknown, b: unknown): boolean {
  if (a instanceof Date || b instanceof Date) return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => same(x, b[i]));
  if (a && b && typeof a === "object" && typeof b === "object") {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return a === b;
}

/** Whether the row already says what the report says (its time aside). Docker's status text ("Up 5 minutes")
 * counts: it is what the list shows. */
function unchanged(row: Row, c: ContainerSummary) {
  const { reportedAt: _, ...data } = containerData(c, new Date(0));
  return Object.entries(data).every(([k, v]) => same(row[k as keyof Row], v));
}

/** A container's row as the list shows it (lib/live/channels.ts). */
export function containerRow(c: ContainerSummary, at: Date): ContainerPatch {
  return {
    dockerId: c.dockerId,
    name: c.name,
    image: c.image,
    state: c.state,
    status: c.status,
    health: c.health,
    ports: c.ports.map(({ privatePort, publicPort, type }) => ({ privatePort, publicPort, type })),
    labels: c.labels,
    reportedAt: at.toISOString(),
  };
}

const COUNTS = `SELECT "state", count(*)::int AS n FROM "Container" WHERE "hostId" = $1 GROUP BY "state"`;

/** The host's containers per state (every state, zeros included: the page replaces its counts with these). */
export async function containerCounts(hostId: string, client?: Tx): Promise<Record<string, number>> {
  type Group = { state: string; n: number };
  const groups = client ? await client.$queryRawUnsafe<Group[]>(COUNTS, hostId) : await reportQuery<Group>(COUNTS, [hostId]);
  const counts: Record<string, number> = Object.fromEntries(CONTAINER_STATES.map((s) => [s, 0]));
  for (const g of groups) counts[g.state] = g.n;
  return counts;
}

/**
 * A snapshot: the whole truth about the host's containers at `at`. Rows that differ are updated, new ones
 * added, missing ones deleted (each only if no newer report wrote it); the host is seen (and online).
 */
export async function applySnapshot(hostId: string, at: Date, containers: ContainerSummary[], now = new Date()): Promise<ContainersOutcome> {
  const rows = await reportQuery<Row>(`SELECT ${COLUMNS} FROM "Container" AS c WHERE c."hostId" = $1`, [hostId]);
  const held = new Map(rows.map((r) => [r.dockerId, r]));
  const added = containers.filter((c) => !held.has(c.dockerId));
  const changed = containers.filter((c) => {
    const row = held.get(c.dockerId);
    return row && row.reportedAt <= at && !unchanged(row, c);
  });
  const listed = new Set(containers.map((c) => c.dockerId));
  const gone = rows.filter((r) => !listed.has(r.dockerId) && r.reportedAt <= at).map((r) => r.dockerId);

  if (added.length + changed.length + gone.length === 0) {
    const seen = await markHostSeen(hostId, now, true); // one statement, on the report pool
    return seen && { teamId: seen.teamId, host: seen.patch, containers: null };
  }
  const recount = added.length > 0 || gone.length > 0 || changed.some((c) => held.get(c.dockerId)!.state !== c.state);
  return db.$transaction(async (tx) => {
    await asyncCommit(tx);
    const seen = await markHostSeen(hostId, now, true, tx);
    if (!seen) return null; // removed meanwhile
    let resync = false;
    if (added.length) {
      const { count } = await tx.container.createMany({
        data: added.map((c) => ({ hostId, dockerId: c.dockerId, ...containerData(c, at) })),
        skipDuplicates: true,
      });
      resync ||= count !== added.length;
    }
    const restarts: Restart[] = [];
    for (const c of changed) {
      const { count } = await tx.container.updateMany({ where: { hostId, dockerId: c.dockerId, reportedAt: { lte: at } }, data: containerData(c, at) });
      resync ||= count === 0;
      const restartAt = count ? restartOf(held.get(c.dockerId), c) : null;
      if (restartAt) restarts.push({ name: c.name, labels: c.labels, at: restartAt });
    }
    await noteRestarts(tx, seen.teamId, hostId, restarts);
    if (gone.length) {
      const { count } = await tx.container.deleteMany({ where: { hostId, dockerId: { in: gone }, reportedAt: { lte: at } } });
      resync ||= count !== gone.length;
    }
    const counts = recount ? await containerCounts(hostId, tx) : null;
    return {
      teamId: seen.teamId,
      host: seen.patch || counts ? { ...seen.patch, id: hostId, ...(counts && { containers: counts }) } : null,
      containers: { upserted: [...added, ...changed].map((c) => containerRow(c, at)), removed: gone, resync },
    };
  });
}

const CONTAINER_OF_HOST = `SELECT h."teamId", ${COLUMNS} FROM "Host" AS h LEFT JOIN "Container" AS c ON c."hostId" = h.id AND c."dockerId" = $2 WHERE h.id = $1`;
const UPDATE_CONTAINER = `
  UPDATE "Container" SET "name" = $4, "image" = $5, "imageId" = $6, "command" = $7, "state" = $8, "status" = $9, "health" = $10,
    "ports" = $11::jsonb, "labels" = $12::jsonb, "restartPolicy" = $13, "exitCode" = $14, "createdAt" = $15, "startedAt" = $16,
    "finishedAt" = $17, "reportedAt" = $3, "updatedAt" = now()
  WHERE "hostId" = $1 AND "dockerId" = $2 AND "reportedAt" <= $3
  RETURNING 1`;

/**
 * One container as an event left it: written if it differs and no newer report wrote it. A known container's
 * new state is one UPDATE on the report pool (and the counts, if its state moved); a new one is added through
 * Prisma. A restart is counted (crash-loops.ts) in a transaction of its own right after the write: a crash in
 * between loses that one restart from a loop's count.
 */
export async function applyContainerReport(hostId: string, at: Date, c: ContainerSummary): Promise<ContainersOutcome> {
  type Joined = Row & { teamId: string | null };
  const [joined] = await reportQuery<Joined>(CONTAINER_OF_HOST, [hostId, c.dockerId]);
  if (!joined) return null;
  const { teamId } = joined;
  const row: Row | undefined = joined.dockerId === null ? undefined : joined;
  const nothing = { teamId, host: null, containers: null };
  if (row && (row.reportedAt > at || unchanged(row, c))) return nothing;
  const d = containerData(c, at);
  const written = row
    ? (
        await reportQuery(UPDATE_CONTAINER, [
          ...[hostId, c.dockerId, at, d.name, d.image, d.imageId, d.command, d.state, d.status, d.health],
          ...[JSON.stringify(d.ports), JSON.stringify(d.labels), d.restartPolicy, d.exitCode, d.createdAt, d.startedAt, d.finishedAt],
        ])
      ).length
    : (await db.container.createMany({ data: [{ hostId, dockerId: c.dockerId, ...d }], skipDuplicates: true })).count;
  if (written === 0) return nothing; // a newer report got there first
  const restartAt = restartOf(row, c);
  if (restartAt) await db.$transaction((tx) => noteRestarts(tx, teamId, hostId, [{ name: c.name, labels: c.labels, at: restartAt }]));
  const counts = !row || row.state !== c.state ? await containerCounts(hostId) : null;
  return {
    teamId,
    host: counts && { id: hostId, containers: counts },
    containers: { upserted: [containerRow(c, at)], removed: [], resync: false },
  };
}

/** A container is gone (an event): its row deleted unless a newer report wrote it (on the report pool). */
export async function applyContainerRemoved(hostId: string, at: Date, dockerId: string): Promise<ContainersOutcome> {
  const [host] = await reportQuery<{ teamId: string | null; deleted: number }>(
    `WITH gone AS (DELETE FROM "Container" WHERE "hostId" = $1 AND "dockerId" = $2 AND "reportedAt" <= $3 RETURNING 1)
     SELECT h."teamId", (SELECT count(*)::int FROM gone) AS deleted FROM "Host" AS h WHERE h.id = $1`,
    [hostId, dockerId, at],
  );
  if (!host) return null;
  if (host.deleted === 0) return { teamId: host.teamId, host: null, containers: null };
  return {
    teamId: host.teamId,
    host: { id: hostId, containers: await containerCounts(hostId) },
    containers: { upserted: [], removed: [dockerId], resync: false },
  };
}
