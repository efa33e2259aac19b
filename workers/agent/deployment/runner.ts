// The deployments running on this agent: started by a job (which answers at once), cancelled by another,
// listed in every heartbeat so the control plane renews their leases. A release that went live is then
// pushed to Berth's registry in the background (push.ts), its outcome reported as a `release` report. The spec is read once from the
// host's own Redis keys and opened with the host's key. The convergence pass (../reconcile/) asks which
// services a deployment is changing now, or changed since a given moment, and leaves those alone.
import type Dockerode from "dockerode";
import type { Redis } from "ioredis";
import { deploymentLogKey, deploymentSpec, deploymentSpecKey, type DeploymentSpec } from "@/lib/hosts/deployment-spec";
import type { DeploymentReport, HostReport } from "@/lib/hosts/protocol";
import type { AgentConfig } from "../config";
import { readSealedSpec } from "../sealed-spec";
import { createDeployLog } from "./log";
import { AGENT_STOPPING, runPipeline, type RouteTable } from "./pipeline";
import { pushRelease } from "./push";

/** How long after a failed push the convergence pass may try it again. */
const retryPushMs = () => Number(process.env.BERTH_RETRY_PUSH_MS || 5 * 60_000);

type Deps = { docker: Dockerode; redis: Redis; cfg: AgentConfig; proxy: RouteTable; report: (r: HostReport) => Promise<void>; log: (m: string) => void };

export function createDeploymentRunner({ docker, redis, cfg, proxy, report, log }: Deps) {
  const active = new Map<string, { controller: AbortController; done: Promise<void>; serviceId: string; imageTag: string }>();
  const endedAt = new Map<string, number>(); // service id → when its last deployment here ended
  let stopping = false;

  const cancelledEarly = new Set<string>();
  const allowLocalGit = process.env.BERTH_ALLOW_LOCAL_GIT === "1";

  const reportStatus =
    (deploymentId: string) =>
    (status: DeploymentReport["status"], extra = {}) =>
      report({ type: "deployment", at: new Date().toISOString(), deploymentId, status, ...extra });

  /** A live release to Berth's registry, then its digest (or why not) reported; pushes of one service in order. */
  type Push = Pick<DeploymentSpec, "deploymentId" | "serviceId" | "registry" | "imageTag">;
  const pushes = new Map<string, Promise<void>>();
  const pushedAt = new Map<string, { at: number; ok: boolean | null }>(); // deployment id → last push (ok null: running)
  const stopPushes = new AbortController(); // the agent stops: pushes end, and take their extra tag with them
  function pushInBackground(spec: Push, image: string) {
    pushedAt.set(spec.deploymentId, { at: Date.now(), ok: null });
    const run = (pushes.get(spec.serviceId) ?? Promise.resolve())
      .then(() => pushRelease(docker, spec, image, cfg, stopPushes.signal))
      .then((outcome) => {
        pushedAt.set(spec.deploymentId, { at: Date.now(), ok: !outcome.error });
        if (outcome.error) log(`deployment ${spec.deploymentId}: ${outcome.error}`);
        return report({ type: "release", at: new Date().toISOString(), deploymentId: spec.deploymentId, ...outcome });
      })
      .catch((e) => log(`deployment ${spec.deploymentId}: reporting its push failed: ${(e as Error).message}`))
      .finally(() => {
        if (pushes.get(spec.serviceId) === run) pushes.delete(spec.serviceId);
      });
    pushes.set(spec.serviceId, run);
    return run;
  }

  async function readSpec(deploymentId: string): Promise<DeploymentSpec> {
    const key = deploymentSpecKey(cfg.prefix, cfg.hostId, deploymentId);
    const spec = await readSealedSpec(redis, cfg, key, deploymentSpec, "The deployment's instructions expired before this host picked them up.");
    if (spec.deploymentId !== deploymentId) throw new Error("The instructions are for another deployment.");
    return spec;
  }

  return {
    async start(deploymentId: string) {
      if (active.has(deploymentId)) return;
      const status = reportStatus(deploymentId);
      if (cancelledEarly.delete(deploymentId)) return status("CANCELLED");
      let spec: DeploymentSpec;
      try {
        spec = await readSpec(deploymentId);
      } catch (e) {
        return status("FAILED", { error: (e as Error).message });
      }
      const controller = new AbortController();
      const deployLog = createDeployLog(
        redis,
        deploymentLogKey(cfg.prefix, cfg.hostId, deploymentId),
        spec.mask,
        (e) => log(`deployment log: ${e.message}`),
        () => stopping,
      );
      const done = runPipeline(spec, controller.signal, {
        docker,
        proxy,
        log: deployLog,
        report: status,
        allowLocalGit,
        hostId: cfg.hostId,
        password: cfg.password,
      })
        .then((live) => {
          // Apart from the deployment: the push neither holds its slot nor delays what comes next.
          if (live && spec.registry) void pushInBackground(spec, live);
        })
        .catch((e) => log(`deployment ${deploymentId}: ${(e as Error).message}`))
        .finally(() => {
          active.delete(deploymentId);
          endedAt.set(spec.serviceId, Date.now());
        });
      active.set(deploymentId, { controller, done, serviceId: spec.serviceId, imageTag: spec.imageTag });
    },
    /** True when it was running here; a cancel that arrives before its start is remembered. */
    cancel(deploymentId: string): boolean {
      const run = active.get(deploymentId);
      if (run) run.controller.abort();
      else {
        cancelledEarly.add(deploymentId);
        setTimeout(() => cancelledEarly.delete(deploymentId), 10 * 60_000).unref();
      }
      return Boolean(run);
    },
    activeIds: () => [...active.keys()],
    /** Whether a deployment here is changing the service now, or ended after `since` (ms, this clock). */
    touched(serviceId: string, since: number): boolean {
      for (const r of active.values()) if (r.serviceId === serviceId) return true;
      return (endedAt.get(serviceId) ?? 0) >= since;
    },
    /** A live release the control plane still misses in its registry (the convergence pass): pushed again (from
     * `image`, the live container's image id when known) unless a push of it runs, succeeded, or failed less than
     * BERTH_RETRY_PUSH_MS (5 minutes) ago. */
    pushAgain(release: Push, image = release.imageTag) {
      const last = pushedAt.get(release.deploymentId);
      if (stopping || !release.registry || (last && (last.ok !== false || Date.now() - last.at < retryPushMs()))) return;
      void pushInBackground(release, image);
    },
    /** The release tags of deployments running here (a tag may exist before the control plane knows of it). */
    activeTags: () => new Set([...active.values()].map((r) => r.imageTag)),
    /** Agent shutdown: stop every deployment (each cleans up and reports itself failed) and wait for it. */
    async stopAll() {
      stopping = true;
      for (const r of active.values()) r.controller.abort(AGENT_STOPPING);
      await Promise.all([...active.values()].map((r) => r.done));
      stopPushes.abort();
      await Promise.all(pushes.values());
    },
  };
}
export type DeploymentRunner = ReturnType<typeof createDeploymentRunner>;
