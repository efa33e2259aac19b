// Worker side: what host agents report about their hosts, persisted. No team context: the control worker is the
// only caller, with a host id taken from the Redis stream the report came from (which only that host can write).
// Each write costs what changed: heartbeats of many hosts are one statement, a host's status is set in the same
// statement that records it was seen, and what changed is returned as the live patch the team is told.
// Containers: container-reports.ts.
import { db, type Tx } from "@/lib/db";
import { ACTIVE_ORDER } from "@/lib/deploy/states";
import type { HostFacts, HostReport } from "@/lib/hosts/protocol";
import type { HostPatch } from "@/lib/live/channels";
import { leaseMs } from "./deployments/lease";
import { notifyHostStatus, notifyHostsStatus } from "./host-alerts";
import { reportQuery, reportTransaction } from "./report-pool";

/**
 * Makes the current transaction's commit asynchronous (`SET LOCAL synchronous_commit = off`): it returns before
 * its WAL reaches the disk. Only for level-triggered state that the host's next report restates in full
 * (heartbeats every 4 s, snapshots every 30 s, container events, which the next snapshot restates): a PostgreSQL
 * crash may lose the last fraction of a second of them although their report was acknowledged, and the next
 * heartbeat or snapshot writes it again. Nothing else is reordered (WAL stays in order: any later durable commit
 * makes these durable too) and nothing that is said once (deployment, release, serving reports, goodbyes) uses it.
 * At 1,000 hosts this spares a disk flush per report, which the report stream otherwise waits for, one by one.
 */
export function asyncCommit(client: Tx | typeof db) {
  return client.$executeRaw`SET LOCAL synchronous_commit = off`;
}

/** One host's heartbeat (the latest of a round): its facts and the deployments its agent runs. */
export type Heartbeat = { hostId: string; facts: HostFacts; deployments: string[] };

/** A host as a heartbeat left it: `status` set when it came online or its protocol problem ended (tell at once). */
export type HeartbeatOutcome = { hostId: string; teamId: string | null; status: HostPatch | null };

type SeenRow = { id: string; teamId: string | null; statusSince: Date; problemCleared: boolean; previousStatus: string };

/**
 * Heartbeats of many hosts in one transaction of at most two statements (on the report pool, report-pool.ts):
 * every host's facts, `lastHeartbeatAt` and ONLINE status (its `statusSince` kept unless it was not online) in
 * one UPDATE, and the leases of the deployments they run renewed in one more. Hosts removed meanwhile are left
 * out of the answer.
 */
export async function applyHeartbeats(
  beats: Heartbeat[],
  now = new Date(),
): Promise<{ applied: HeartbeatOutcome[]; refused: { hostId: string; why: string }[] }> {
  const refused = beats.flatMap((b) => {
    const why = unstorable(b.facts);
    return why ? [{ hostId: b.hostId, why }] : [];
  });
  const fit = beats.filter((b) => !unstorable(b.facts));
  if (fit.length === 0) return { applied: [], refused };
  const sorted = [...fit].sort((a, b) => (a.hostId < b.hostId ? -1 : 1)); // one lock order for every batch
  const col = <T>(f: (b: Heartbeat) => T) => sorted.map(f);
  const f = (b: Heartbeat) => b.facts;
  const leases = sorted.flatMap((b) => b.deployments.map((d) => [b.hostId, d] as const));
  // Parameters are whole arrays (one per column, unnest'ed): the statement's size does not grow with the batch.
  const update = `
    UPDATE "Host" AS h SET
      "lastHeartbeatAt" = $1,
      "agentVersion" = v.agent_version, "dockerVersion" = v.docker_version, "apiVersion" = v.api_version,
      "os" = v.os, "kernel" = v.kernel, "cpuCount" = v.cpu_count, "cpuPercent" = v.cpu_percent,
      "memTotalBytes" = v.mem_total, "memUsedBytes" = v.mem_used, "images" = v.images,
      "protocolVersion" = v.protocol_version, "protocolProblem" = NULL, "agentInContainer" = v.in_container,
      "status" = 'ONLINE',
      "statusSince" = CASE WHEN h."status" = 'ONLINE' THEN h."statusSince" ELSE $1 END,
      "updatedAt" = $1
    FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int[], $9::float8[],
                $10::bigint[], $11::bigint[], $12::int[], $13::int[], $14::boolean[])
      AS v(id, agent_version, docker_version, api_version, os, kernel, cpu_count, cpu_percent, mem_total, mem_used, images, protocol_version, in_container)
    JOIN "Host" AS old ON old.id = v.id
    WHERE h.id = v.id
    RETURNING h.id, h."teamId", h."statusSince", old."protocolProblem" IS NOT NULL AS "problemCleared", old."status"::text AS "previousStatus"`;
  const params = [
    now,
    col((b) => b.hostId),
    col((b) => f(b).agentVersion),
    col((b) => f(b).dockerVersion),
    col((b) => f(b).apiVersion),
    col((b) => f(b).os),
    col((b) => f(b).kernel),
    col((b) => f(b).cpuCount),
    col((b) => f(b).cpuPercent),
    col((b) => String(Math.round(f(b).memTotalBytes))),
    col((b) => String(Math.round(f(b).memUsedBytes))),
    col((b) => f(b).images),
    col((b) => f(b).protocolVersion),
    col((b) => f(b).inContainer),
  ];
  // The leases of the deployments the hosts run, renewed in the same transaction.
  const renew = `
    UPDATE "Deployment" AS d SET "leaseExpiresAt" = $1
    FROM unnest($2::text[], $3::text[]) AS l(host_id, deployment_id)
    WHERE d.id = l.deployment_id AND d."hostId" = l.host_id AND d."dispatchedAt" IS NOT NULL AND d."status"::text = ANY($4::text[])`;
  const rows = leases.length
    ? await reportTransaction(async (c) => {
        const { rows } = await c.query<SeenRow>(update, params);
        await c.query(renew, [new Date(now.getTime() + leaseMs()), leases.map((l) => l[0]), leases.map((l) => l[1]), [...ACTIVE_ORDER]]);
        return rows;
      })
    : await reportQuery<SeenRow>(update, params);
  const applied = rows.map((r) => {
    const cameOnline = r.statusSince.getTime() === now.getTime();
    const status: HostPatch | null =
      cameOnline || r.problemCleared
        ? { id: r.id, ...(cameOnline && { status: "ONLINE", statusSince: r.statusSince.toISOString() }), ...(r.problemCleared && { protocolProblem: null }) }
        : null;
    return { hostId: r.id, teamId: r.teamId, status };
  });
  // Back from OFFLINE (rare): told after the batch, so the batch stays two statements; keyed by statusSince,
  // so telling it again is harmless.
  const back = rows.filter((r) => cameBack(r, now));
  if (back.length)
    await db.$transaction((tx) =>
      notifyHostsStatus(
        tx,
        "host.online",
        back.map((r) => ({ hostId: r.id, teamId: r.teamId, statusSince: r.statusSince })),
      ),
    );
  return { applied, refused };
}

/**
 * Came online now, and not on its first join. `previousStatus` is read by the same statement, but a concurrent
 * offline marking can make it stale (ONLINE): `statusSince` is not.
 */
function cameBack(r: { statusSince: Date; previousStatus: string }, now: Date) {
  return r.statusSince.getTime() === now.getTime() && r.previousStatus !== "PENDING";
}

const INT4 = 2 ** 31 - 1;
/** Why a heartbeat's facts cannot be stored (one such value would fail the whole batch), or null. */
function unstorable(f: HostFacts): string | null {
  for (const [k, v] of Object.entries(f)) {
    if (typeof v === "string" && (v.includes("\0") || v.length > 1000)) return `${k} is not a short text`;
    if (typeof v === "number" && !Number.isFinite(v)) return `${k} is not a finite number`;
  }
  if (![f.cpuCount, f.images, f.protocolVersion].every((n) => Math.abs(n) <= INT4)) return "a count is out of range";
  if (![f.memTotalBytes, f.memUsedBytes].every((n) => Math.abs(n) <= Number.MAX_SAFE_INTEGER)) return "a byte count is out of range";
  return null;
}

const SEEN = `
  UPDATE "Host" AS h SET
    "lastHeartbeatAt" = $2,
    "lastSnapshotAt" = COALESCE($3, h."lastSnapshotAt"),
    "status" = 'ONLINE',
    "statusSince" = CASE WHEN h."status" = 'ONLINE' THEN h."statusSince" ELSE $2 END,
    "updatedAt" = $2
  FROM "Host" AS old
  WHERE h.id = $1 AND old.id = h.id
  RETURNING h."teamId", h."statusSince", old."status"::text AS "previousStatus"`;
type Seen = { teamId: string | null; statusSince: Date; previousStatus: string };

/**
 * The host was heard from (a snapshot): seen now, ONLINE if it was not. Returns its team and, if it came
 * online, the patch that says so; null if the host was removed meanwhile. In `client`'s transaction, or alone
 * on the report pool (an unchanged snapshot: then a return from OFFLINE is told in a transaction of its own
 * right after, as for heartbeats: its key makes telling it twice harmless).
 */
export async function markHostSeen(hostId: string, now = new Date(), snapshot = false, client?: Tx) {
  const params = [hostId, now, snapshot ? now : null];
  const rows = client ? await client.$queryRawUnsafe<Seen[]>(SEEN, ...params) : await reportQuery<Seen>(SEEN, params);
  const row = rows[0];
  if (!row) return null;
  if (cameBack(row, now)) {
    const t = { hostId, teamId: row.teamId, statusSince: row.statusSince };
    await (client ? notifyHostStatus(client, "host.online", t) : db.$transaction((tx) => notifyHostStatus(tx, "host.online", t)));
  }
  const cameOnline = row.statusSince.getTime() === now.getTime();
  return { teamId: row.teamId, patch: cameOnline ? ({ id: hostId, status: "ONLINE", statusSince: row.statusSince.toISOString() } satisfies HostPatch) : null };
}

/** The agent said goodbye (it is stopping): OFFLINE now. Returns the team and the patch; null if removed. */
export async function markHostGone(hostId: string, now = new Date()) {
  const rows = await db.$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ teamId: string | null; previousStatus: string }[]>`
      UPDATE "Host" AS h SET "status" = 'OFFLINE', "statusSince" = ${now}, "updatedAt" = ${now}
      FROM "Host" AS old WHERE h.id = ${hostId} AND old.id = h.id RETURNING h."teamId", old."status"::text AS "previousStatus"`;
    // A goodbye alerts too: the host takes no work until its agent is back, whoever stopped it.
    if (rows[0]?.previousStatus === "ONLINE")
      await notifyHostStatus(tx, "host.offline", { hostId, teamId: rows[0].teamId, statusSince: now, detail: "Its agent stopped (it said goodbye)." });
    return rows;
  });
  if (!rows[0]) return null;
  return { teamId: rows[0].teamId, patch: { id: hostId, status: "OFFLINE", statusSince: now.toISOString() } satisfies HostPatch };
}

/**
 * A heartbeat from an agent that speaks another protocol (lib/hosts/handshake.ts): the host is shown online
 * with the problem, so the console says why it gets no work. Only what any protocol's heartbeat says is kept.
 * Returns the host's team and, if what its page shows changed, the patch to tell it.
 */
export async function applyProtocolMismatch(hostId: string, seen: { protocolVersion: number; problem: string; agentVersion?: string; inContainer?: boolean }) {
  const host = await db.host.findUnique({ where: { id: hostId }, select: { protocolProblem: true, agentVersion: true } });
  if (!host) return null;
  const now = new Date();
  const marked = await markHostSeen(hostId, now);
  if (!marked) return null;
  await db.host.update({
    where: { id: hostId },
    data: {
      protocolVersion: seen.protocolVersion,
      protocolProblem: seen.problem,
      ...(seen.agentVersion !== undefined && { agentVersion: seen.agentVersion }),
      ...(seen.inContainer !== undefined && { agentInContainer: seen.inContainer }),
    },
  });
  const changed =
    marked.patch !== null || host.protocolProblem !== seen.problem || (seen.agentVersion !== undefined && seen.agentVersion !== host.agentVersion);
  const patch: HostPatch = {
    ...marked.patch,
    id: hostId,
    protocolProblem: seen.problem,
    ...(seen.agentVersion !== undefined && { agentVersion: seen.agentVersion }),
  };
  return { teamId: marked.teamId, patch: changed ? patch : null };
}

/** Why the host's agent gets no work because it speaks another protocol, or null. */
export async function hostProtocolProblem(hostId: string): Promise<string | null> {
  return (await db.host.findUnique({ where: { id: hostId }, select: { protocolProblem: true } }))?.protocolProblem ?? null;
}

/**
 * What the agent found about the services on its host (Service.servingProblem): each service still placed on
 * this host takes it unless a later check was recorded already (reports can be applied again, or late).
 * Returns the services whose problem changed, to tell their teams.
 */
export async function applyServingReport(hostId: string, report: Extract<HostReport, { type: "serving" }>) {
  const at = new Date(report.at);
  const ids = report.services.map((f) => f.serviceId);
  const current = await db.service.findMany({
    where: { id: { in: ids }, hostId, OR: [{ servingCheckedAt: null }, { servingCheckedAt: { lte: at } }] },
    select: { id: true, servingProblem: true, environment: { select: { project: { select: { teamId: true } } } } },
  });
  const changed: { teamId: string; serviceId: string }[] = [];
  const byProblem = new Map<string | null, string[]>();
  for (const s of current) {
    const problem = report.services.find((f) => f.serviceId === s.id)!.problem;
    byProblem.set(problem, [...(byProblem.get(problem) ?? []), s.id]);
    if (problem !== s.servingProblem) changed.push({ teamId: s.environment.project.teamId, serviceId: s.id });
  }
  for (const [problem, serviceIds] of byProblem) {
    await db.service.updateMany({
      where: { id: { in: serviceIds }, hostId, OR: [{ servingCheckedAt: null }, { servingCheckedAt: { lte: at } }] },
      data: { servingProblem: problem, servingCheckedAt: at },
    });
  }
  return changed;
}

/** Whether PostgreSQL answers at all (a report failing while it does is the report's fault, not an outage). */
export async function databaseReachable(): Promise<boolean> {
  return db.$queryRaw`SELECT 1`.then(
    () => true,
    () => false,
  );
}

/** Hosts silent for longer than `afterMs` go offline (one statement); returns them, with the patch for their teams. */
export async function markSilentHostsOffline(afterMs: number) {
  const now = new Date();
  const cutoff = new Date(now.getTime() - afterMs);
  const rows = await db.$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ id: string; teamId: string | null }[]>`
      UPDATE "Host" SET "status" = 'OFFLINE', "statusSince" = ${now}, "updatedAt" = ${now}
      WHERE "status" = 'ONLINE' AND ("lastHeartbeatAt" IS NULL OR "lastHeartbeatAt" < ${cutoff})
      RETURNING id, "teamId"`;
    const detail = `No heartbeat for ${Math.round(afterMs / 1000)} s.`;
    await notifyHostsStatus(
      tx,
      "host.offline",
      rows.map((r) => ({ hostId: r.id, teamId: r.teamId, statusSince: now, detail })),
    );
    return rows;
  });
  return rows.map((r) => ({ ...r, patch: { id: r.id, status: "OFFLINE", statusSince: now.toISOString() } satisfies HostPatch }));
}

/** Every host's id and password hash, to re-provision Redis users (Redis forgets them on restart). */
export async function allHostCredentials() {
  return db.host.findMany({ select: { id: true, tokenHash: true } });
}

/** Every host's id and team (whose stream to read, whom to tell), and whether its agent speaks another protocol
 * (its reports other than heartbeats are then dropped). Read every few seconds: no secrets, nothing wide. */
export async function allHostStreams() {
  return db.host.findMany({ select: { id: true, teamId: true, protocolProblem: true } });
}
