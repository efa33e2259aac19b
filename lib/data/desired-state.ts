// Worker side: what should run on a host, from Postgres (lib/hosts/desired-state.ts), answered to each
// snapshot its agent reports. Each service placed on the host with its live release (the one the service
// names, if it ran on this host), the route it answers at, the tags to keep and the deployments still
// running; a service moved to another host stays here as it was until a release of the new host is live
// (then this host removes its container, route and tags); live releases not in Berth's registry yet (the
// agent pushes them again); and, for each live release whose container the
// snapshot lacks, the release's spec (its image tag and stored configuration) so the agent can recreate it.
// Sealed for the host, stored under its keys for two minutes, and pointed at by a `host.converge` job; the
// agent deletes it once read. Answers cost what they must at 1,000 hosts: one query for the host (its domain and
// its seal key), one whether it has services (none for most hosts, then nothing more is asked; both on the
// report pool), and the job added through the host's queue (call-host.ts: every host's queue on one connection).
import { randomUUID } from "node:crypto";
import { db } from "@/lib/db";
import { ACTIVE_ORDER } from "@/lib/deploy/states";
import { containerBase, containerName, releaseRepository, routeId, serviceHostnames } from "@/lib/deploy/names";
import { env as appEnv } from "@/lib/env";
import { desiredState, desiredStateKey, type DesiredService, type DesiredState } from "@/lib/hosts/desired-state";
import type { DeploymentSpec } from "@/lib/hosts/deployment-spec";
import { sealForHost } from "@/lib/hosts/host-seal";
import { sendToHost } from "@/lib/hosts/call-host";
import type { ContainerSummary } from "@/lib/hosts/protocol";
import { hostConvergeJob } from "@/lib/jobs/host-jobs";
import { adminRedis } from "@/lib/redis/admin";
import { berthRegistry } from "./deployments/registry";
import { reportQuery } from "./report-pool";
import { releaseSpec } from "./deployments/spec";

const TTL_SECONDS = 120;
const MAX_RESTORES = 20;

/** The host's desired state; `present`: the containers its last snapshot listed (to see what is missing). */
export async function desiredStateFor(hostId: string, basis: string, present: ContainerSummary[]): Promise<DesiredState | null> {
  const host = await hostToAnswer(hostId);
  return host && desiredStateOf(hostId, host.baseDomain, basis, present);
}

/** The host's domain and seal key (its token's hash), on the report pool: asked at every snapshot. */
async function hostToAnswer(hostId: string) {
  const [host] = await reportQuery<{ baseDomain: string; tokenHash: string }>(`SELECT "baseDomain", "tokenHash" FROM "Host" WHERE id = $1`, [hostId]);
  return host ?? null;
}

/** Whether any service is this host's: placed on it, or live on it (both indexed). Most hosts' answer is no. */
async function hasServices(hostId: string): Promise<boolean> {
  const [row] = await reportQuery<{ yes: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM "Service" WHERE "hostId" = $1)
         OR EXISTS (SELECT 1 FROM "Deployment" AS d JOIN "Service" AS s ON s."liveDeploymentId" = d.id WHERE d."hostId" = $1) AS yes`,
    [hostId],
  );
  return row?.yes ?? false;
}

/** The services whose containers and routes this host keeps (placed here, or live here until moved). */
function servicesOf(hostId: string) {
  return db.service.findMany({
    where: { OR: [{ hostId }, { liveDeployment: { hostId } }] },
    orderBy: { createdAt: "asc" },
    select: {
      id: true,
      name: true,
      httpPort: true,
      domains: true,
      environment: { select: { slug: true, project: { select: { slug: true } } } },
      liveDeployment: { select: { id: true, number: true, imageTag: true, hostId: true, teamId: true, imageDigest: true } },
      deployments: {
        where: { hostId, OR: [{ status: { in: [...ACTIVE_ORDER] } }, { status: "LIVE", imagePrunedAt: null }] },
        select: { id: true, status: true, imageTag: true },
      },
    },
  });
}

async function desiredStateOf(hostId: string, baseDomain: string, basis: string, present: ContainerSummary[]): Promise<DesiredState> {
  // A service moved to another host stays this host's until a release there is live: the old one serves meanwhile.
  const services = (await hasServices(hostId)) ? await servicesOf(hostId) : [];
  // Most hosts answered every 30 s run no service: no more queries for them.
  const newest = new Map(
    services.length === 0
      ? []
      : (await db.deployment.groupBy({ by: ["serviceId"], where: { serviceId: { in: services.map((s) => s.id) } }, _max: { number: true } })).map((g) => [
          g.serviceId,
          g._max.number ?? 0,
        ]),
  );
  const registry = berthRegistry();
  const running = new Set(present.filter((c) => c.labels["berth.host.id"] === hostId).map((c) => c.labels["berth.deployment.id"]));
  const missing: string[] = [];

  const wanted: DesiredService[] = services.map((s) => {
    // A release that ran on another host (the service moved here, or moved away and is live there) is not this
    // host's to recreate.
    const live = s.liveDeployment && s.liveDeployment.hostId === hostId ? s.liveDeployment : null;
    if (live && !running.has(live.id)) missing.push(live.id);
    const active = s.deployments.filter((d) => (ACTIVE_ORDER as readonly string[]).includes(d.status));
    return {
      serviceId: s.id,
      containerName: containerName(s),
      network: containerBase(s),
      port: s.httpPort,
      route: s.httpPort ? { id: routeId(s.id), hosts: serviceHostnames(s, baseDomain, s.domains as string[]) } : null,
      live: live
        ? {
            deploymentId: live.id,
            number: live.number,
            imageTag: live.imageTag,
            push: registry && !live.imageDigest && live.imageTag ? releaseRepository(live.teamId, hostId, s.id) : null,
          }
        : null,
      keepTags: s.deployments.flatMap((d) => (d.imageTag ? [d.imageTag] : [])),
      active: active.map((d) => d.id),
      newest: newest.get(s.id) ?? 0,
    };
  });

  const restore: DeploymentSpec[] = [];
  for (const id of missing.slice(0, MAX_RESTORES)) {
    try {
      restore.push(await releaseSpec(id));
    } catch (e) {
      console.error(`control: the release ${id} cannot be recreated: ${(e as Error).message}`);
    }
  }
  return desiredState.parse({ hostId, basis, services: wanted, registry, restore });
}

/** Answers a snapshot: the desired state, sealed for the host, and the job that tells its agent to converge. */
export async function sendDesiredState(hostId: string, basis: string, present: ContainerSummary[]): Promise<void> {
  const host = await hostToAnswer(hostId);
  if (!host) return;
  const state = await desiredStateOf(hostId, host.baseDomain, basis, present);
  const nonce = randomUUID();
  const key = desiredStateKey(appEnv.queuePrefix, hostId, nonce);
  await adminRedis().set(key, sealForHost(host.tokenHash, key, state), "EX", TTL_SECONDS);
  await sendToHost(hostId, hostConvergeJob, { nonce });
}
