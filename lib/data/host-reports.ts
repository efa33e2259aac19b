// Worker side: what host agents report, persisted. No team context: the control worker is the only
// caller, with a host id taken from the Redis stream the report came from (which only that host can write).
import { db, type Tx } from "@/lib/db";
import type { ContainerSummary, HostReport } from "@/lib/hosts/protocol";
import { renewLeases } from "./deployments/lease";

export type ReportOutcome = { teamId: string | null; hostChanged: boolean; containersChanged: boolean } | null;

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

async function upsertContainer(tx: Tx, hostId: string, c: ContainerSummary, at: Date) {
  const data = containerData(c, at);
  // Reports can arrive out of order (a snapshot taken before an event, delivered after it): keep the newer.
  const { count } = await tx.container.updateMany({ where: { hostId, dockerId: c.dockerId, reportedAt: { lte: at } }, data });
  if (count === 0) {
    await tx.container.createMany({ data: [{ hostId, dockerId: c.dockerId, ...data }], skipDuplicates: true });
  }
}

async function markOnline(tx: Tx, hostId: string, now: Date) {
  const { count } = await tx.host.updateMany({ where: { id: hostId, status: { not: "ONLINE" } }, data: { status: "ONLINE", statusSince: now } });
  return count > 0;
}

export async function applyHostReport(hostId: string, report: HostReport): Promise<ReportOutcome> {
  const host = await db.host.findUnique({ where: { id: hostId }, select: { teamId: true } });
  if (!host) return null; // removed meanwhile
  const now = new Date();
  const at = new Date(report.at);
  const out = { teamId: host.teamId, hostChanged: false, containersChanged: false };
  await db.$transaction(async (tx) => {
    switch (report.type) {
      case "heartbeat": {
        const f = report.facts;
        out.hostChanged = await markOnline(tx, hostId, now);
        await tx.host.update({
          where: { id: hostId },
          data: {
            lastHeartbeatAt: now,
            agentVersion: f.agentVersion,
            dockerVersion: f.dockerVersion,
            apiVersion: f.apiVersion,
            os: f.os,
            kernel: f.kernel,
            cpuCount: f.cpuCount,
            cpuPercent: f.cpuPercent,
            memTotalBytes: BigInt(Math.round(f.memTotalBytes)),
            memUsedBytes: BigInt(Math.round(f.memUsedBytes)),
            images: f.images,
            // It speaks our protocol (a heartbeat in another one never gets here): any earlier problem is over.
            protocolVersion: f.protocolVersion,
            protocolProblem: null,
            agentInContainer: f.inContainer,
          },
        });
        if (report.deployments?.length) await renewLeases(tx, hostId, report.deployments, now);
        out.hostChanged = true;
        break;
      }
      case "snapshot": {
        for (const c of report.containers) await upsertContainer(tx, hostId, c, at);
        await tx.container.deleteMany({ where: { hostId, dockerId: { notIn: report.containers.map((c) => c.dockerId) }, reportedAt: { lte: at } } });
        out.hostChanged = await markOnline(tx, hostId, now);
        await tx.host.update({ where: { id: hostId }, data: { lastSnapshotAt: now, lastHeartbeatAt: now } });
        out.containersChanged = true;
        break;
      }
      case "container":
        await upsertContainer(tx, hostId, report.container, at);
        out.containersChanged = true;
        break;
      case "removed":
        await tx.container.deleteMany({ where: { hostId, dockerId: report.dockerId, reportedAt: { lte: at } } });
        out.containersChanged = true;
        break;
      case "goodbye":
        await tx.host.update({ where: { id: hostId }, data: { status: "OFFLINE", statusSince: now } });
        out.hostChanged = true;
        break;
      case "deployment":
        throw new Error("deployment reports are applied by applyDeploymentReport");
      case "serving":
        throw new Error("serving reports are applied by applyServingReport");
      case "release":
        throw new Error("release reports are applied by applyReleaseReport");
      default: {
        const never: never = report;
        throw new Error(`unknown report ${JSON.stringify(never)}`);
      }
    }
  });
  return out;
}

/**
 * A heartbeat from an agent that speaks another protocol (lib/hosts/handshake.ts): the host is shown online
 * with the problem, so the console says why it gets no work. Only what any protocol's heartbeat says is kept.
 * Returns whether the host's page changed, to tell its team.
 */
export async function applyProtocolMismatch(hostId: string, seen: { protocolVersion: number; problem: string; agentVersion?: string; inContainer?: boolean }) {
  const host = await db.host.findUnique({ where: { id: hostId }, select: { teamId: true, protocolProblem: true } });
  if (!host) return null;
  const now = new Date();
  const online = await db.$transaction(async (tx) => {
    const changed = await markOnline(tx, hostId, now);
    await tx.host.update({
      where: { id: hostId },
      data: {
        lastHeartbeatAt: now,
        protocolVersion: seen.protocolVersion,
        protocolProblem: seen.problem,
        ...(seen.agentVersion !== undefined && { agentVersion: seen.agentVersion }),
        ...(seen.inContainer !== undefined && { agentInContainer: seen.inContainer }),
      },
    });
    return changed;
  });
  return { teamId: host.teamId, hostChanged: online || host.protocolProblem !== seen.problem };
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

/** Hosts silent for longer than `afterMs` go offline; returns them so their teams can be told. */
export async function markSilentHostsOffline(afterMs: number) {
  const cutoff = new Date(Date.now() - afterMs);
  const silent = await db.host.findMany({
    where: { status: "ONLINE", OR: [{ lastHeartbeatAt: { lt: cutoff } }, { lastHeartbeatAt: null }] },
    select: { id: true, teamId: true },
  });
  if (silent.length === 0) return [];
  await db.host.updateMany({ where: { id: { in: silent.map((h) => h.id) }, status: "ONLINE" }, data: { status: "OFFLINE", statusSince: new Date() } });
  return silent;
}

/** Every host's id and password hash, to re-provision Redis users (Redis forgets them on restart), and whether
 * its agent speaks another protocol (its reports other than heartbeats are then dropped). */
export async function allHostCredentials() {
  return db.host.findMany({ select: { id: true, tokenHash: true, protocolProblem: true } });
}
