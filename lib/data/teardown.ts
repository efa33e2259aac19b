// Removing services for good (one service, an environment, a project), in three steps around the delete:
//   1. before it: their unfinished deployments are cancelled (queued ones end at once, running ones are
//      stopped by their agents, which clean up what they made) and waited for, a bounded time;
//   2. inside the deleting transaction: the rows that name them without a foreign key go too (variables and
//      their history are keyed by an owner string; a promotion elsewhere names its source release);
//   3. after the commit: each host they ran on removes their containers, proxy routes and release images, and
//      the environments' networks; their releases' manifests leave Berth's registry (deployments/registry-gc.ts). A host that is offline gets the same job when its agent is back (it waits
//      in the host's queue), and its agent's reconciliation removes anything Berth labelled for a service
//      that no longer exists.
import { db, type Tx } from "@/lib/db";
import { ACTIVE_ORDER, ending } from "@/lib/deploy/states";
import { containerBase } from "@/lib/deploy/names";
import { callHost, sendToHost } from "@/lib/hosts/call-host";
import { deploymentCancelJob, environmentRemoveJob, serviceRemoveJob } from "@/lib/jobs/host-jobs";
import { forgetRegistryImages, type RegistryImage, registryImages } from "./deployments/registry-gc";
import { publishLive } from "@/lib/live/publish";
import { adminRedis } from "@/lib/redis/admin";

export type DoomedService = {
  id: string;
  name: string;
  environment: { id: string; slug: string; project: { slug: string } };
  /** Every host it may have left something on: its own, and those its deployments ran on. */
  hostIds: string[];
  /** Its releases' images in Berth's registry. */
  images: RegistryImage[];
};

/** The team's services of one project, one environment or one id, with the hosts each one touched. */
export async function doomedServices(teamId: string, of: { projectId: string } | { environmentId: string } | { serviceId: string }): Promise<DoomedService[]> {
  const inTeam = { project: { teamId } };
  const where =
    "projectId" in of
      ? { environment: { ...inTeam, projectId: of.projectId } }
      : "environmentId" in of
        ? { environmentId: of.environmentId, environment: inTeam }
        : { id: of.serviceId, environment: inTeam };
  const rows = await db.service.findMany({
    where,
    select: {
      id: true,
      name: true,
      hostId: true,
      environment: { select: { id: true, slug: true, project: { select: { slug: true } } } },
      deployments: { where: { hostId: { not: null } }, distinct: ["hostId"], select: { hostId: true } },
    },
  });
  const pushed = await db.deployment.findMany({
    where: { serviceId: { in: rows.map((s) => s.id) }, registryRepo: { not: null }, imageDigest: { not: null } },
    select: { serviceId: true, registryRepo: true, imageDigest: true },
  });
  return rows.map((s) => ({
    id: s.id,
    name: s.name,
    environment: s.environment,
    images: registryImages(pushed.filter((d) => d.serviceId === s.id)),
    hostIds: [...new Set([s.hostId, ...s.deployments.map((d) => d.hostId)].filter((h): h is string => Boolean(h)))],
  }));
}

const CANCEL_WAIT_MS = 15_000;

/**
 * Step 1. Ends the services' unfinished deployments: queued ones at once, running ones through their agents
 * (waited for while their host is online, at most CANCEL_WAIT_MS, so their clean-up is done before the host
 * removes the rest). Returns how many there were.
 */
export async function stopDeployments(serviceIds: string[]): Promise<number> {
  if (serviceIds.length === 0) return 0;
  const open = await db.deployment.findMany({
    where: { serviceId: { in: serviceIds }, status: { in: [...ACTIVE_ORDER] } },
    select: {
      id: true,
      steps: true,
      hostId: true,
      serviceId: true,
      dispatchedAt: true,
      host: { select: { status: true } },
      service: { select: { environment: { select: { project: { select: { teamId: true } } } } } },
    },
  });
  const now = new Date();
  const running: { id: string; hostId: string; online: boolean }[] = [];
  for (const d of open) {
    // The scheduler claims only what is still QUEUED and undispatched: this compare-and-set and its claim
    // cannot both win.
    const waiting = await db.deployment.updateMany({
      where: { id: d.id, status: "QUEUED", dispatchedAt: null },
      data: { ...ending(d.steps, "CANCELLED", now), cancelRequested: true, log: "" },
    });
    if (waiting.count > 0) {
      // Cancelled here, before any agent had it: nobody else will tell its pages and log streams.
      const news = { kind: "deployment", hostId: d.hostId ?? "", serviceId: d.serviceId, deploymentId: d.id, status: "CANCELLED" } as const;
      await publishLive(adminRedis(), d.service.environment.project.teamId, news).catch(() => {});
    }
    if (waiting.count > 0 || !d.hostId) continue;
    await db.deployment.updateMany({ where: { id: d.id, status: { in: [...ACTIVE_ORDER] } }, data: { cancelRequested: true } });
    await sendToHost(d.hostId, deploymentCancelJob, { deploymentId: d.id }).catch((e) =>
      console.error(`teardown: cancel of ${d.id} not delivered: ${(e as Error).message}`),
    );
    running.push({ id: d.id, hostId: d.hostId, online: d.host?.status === "ONLINE" });
  }
  const awaited = running.filter((r) => r.online).map((r) => r.id);
  const deadline = Date.now() + CANCEL_WAIT_MS;
  while (awaited.length && Date.now() < deadline) {
    const left = await db.deployment.count({ where: { id: { in: awaited }, status: { in: [...ACTIVE_ORDER] } } });
    if (left === 0) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  return open.length;
}

/**
 * Step 2, inside the deleting transaction: rows that point at the services, their environments or their
 * project by an owner string or a plain id. Returns how many variables went.
 */
export async function deleteLooseRows(tx: Tx, teamId: string, serviceIds: string[], otherOwners: string[]): Promise<number> {
  const owners = [...serviceIds.map((id) => `service:${id}`), ...otherOwners];
  const { count } = await tx.variable.deleteMany({ where: { teamId, owner: { in: owners } } });
  await tx.variableVersion.deleteMany({ where: { teamId, owner: { in: owners } } });
  // A promotion into a service that stays keeps its own image tag; only the name of its source goes.
  const releases = await tx.deployment.findMany({ where: { serviceId: { in: serviceIds } }, select: { id: true } });
  await tx.deployment.updateMany({
    where: { teamId, serviceId: { notIn: serviceIds }, sourceId: { in: releases.map((d) => d.id) } },
    data: { sourceId: null },
  });
  return count;
}

export type HostCleanup = { hostId: string; done: boolean; error?: string };

/**
 * Step 3, after the commit: per host and environment, one `environment.remove` job (or `service.remove` per
 * service when the environment stays). An online host is waited for; an offline one, or one that did not
 * answer, gets the job left in its queue for when its agent is back.
 */
export async function cleanUpHosts(services: DoomedService[], { environmentsGo }: { environmentsGo: boolean }): Promise<HostCleanup[]> {
  void forgetRegistryImages(
    services.flatMap((s) => s.images),
    "service deleted",
  );
  const perHost = new Map<string, Map<string, DoomedService[]>>();
  for (const s of services) {
    for (const h of s.hostIds) {
      const envs = perHost.get(h) ?? new Map<string, DoomedService[]>();
      envs.set(s.environment.id, [...(envs.get(s.environment.id) ?? []), s]);
      perHost.set(h, envs);
    }
  }
  const hosts = await db.host.findMany({ where: { id: { in: [...perHost.keys()] } }, select: { id: true, status: true } });
  return Promise.all(
    hosts.map(async (host): Promise<HostCleanup> => {
      const jobs = [...perHost.get(host.id)!.values()].flatMap((list) =>
        environmentsGo ? [environmentJob(host.id, list)] : list.map((s) => serviceJob(host.id, s)),
      );
      const leave = async () => {
        for (const j of jobs) await j.send();
      };
      if (host.status !== "ONLINE") {
        await leave();
        return { hostId: host.id, done: false };
      }
      try {
        for (const j of jobs) await j.call();
        return { hostId: host.id, done: true };
      } catch (e) {
        await leave().catch(() => {});
        return { hostId: host.id, done: false, error: (e as Error).message };
      }
    }),
  );
}

type HostJob = { send: () => Promise<void>; call: () => Promise<unknown> };
const REMOVE_TIMEOUT_MS = 60_000;

function environmentJob(hostId: string, services: DoomedService[]): HostJob {
  const data = { serviceIds: services.map((s) => s.id), network: containerBase(services[0]!) };
  return { send: () => sendToHost(hostId, environmentRemoveJob, data), call: () => callHost(hostId, environmentRemoveJob, data, REMOVE_TIMEOUT_MS) };
}

function serviceJob(hostId: string, s: DoomedService): HostJob {
  const data = { serviceId: s.id };
  return { send: () => sendToHost(hostId, serviceRemoveJob, data), call: () => callHost(hostId, serviceRemoveJob, data, REMOVE_TIMEOUT_MS) };
}
