// The agent's job handlers: one per host job definition (lib/jobs/host-jobs.ts), in a map the compiler checks
// is complete and returns each job's answer shape. The payload is parsed with the shared definition before its
// handler runs. One wrapper seals every result to the caller's reply key (lib/hosts/reply.ts), so no handler
// can leave log text or environment values in Redis in clear; a job sent without a reply key keeps no result.
import { UnrecoverableError, type Job } from "bullmq";
import type Dockerode from "dockerode";
import type { Redis } from "ioredis";
import type { z } from "zod";
import { HOST_JOBS, type HostJob } from "@/lib/jobs/host-jobs";
import { desiredState, desiredStateKey } from "@/lib/hosts/desired-state";
import { gitCheckKey, gitCheckSpec } from "@/lib/hosts/git-check";
import { replyTo, sealReply } from "@/lib/hosts/reply";
import { checkGitAccess } from "./build/check-access";
import { runContainerAction } from "./docker/containers";
import { listImages, removeImage } from "./docker/images";
import { readLogs } from "./docker/logs";
import { sampleStats } from "./docker/stats";
import type { AgentConfig } from "./config";
import { containerDetails, containerEnv } from "./details";
import { startTerminal } from "./terminal";
import type { DeploymentRunner } from "./deployment/runner";
import { pruneReleaseTags } from "./deployment/prune";
import { removeService } from "./deployment/remove-service";
import { removeEnvironment } from "./deployment/remove-environment";
import type { ReverseProxy } from "./proxy/caddy";
import type { Reconciler } from "./reconcile/reconciler";
import { readSealedSpec } from "./sealed-spec";
import { updateAgent } from "./self-update";

/** Docker's own refusal, passed through unchanged, and never retried. */
function refused(e: unknown): never {
  throw new UnrecoverableError(e instanceof Error ? e.message : String(e));
}

// A failure stays in Redis in clear (the job's hash, the events stream): Docker's refusals are one line;
// anything longer is cut, so no output a container printed can ride along.
const MAX_FAILURE = 500;
function shortFailure(e: unknown): Error {
  const msg = (e instanceof Error ? e.message : String(e)).replace(/\s+/g, " ").trim();
  const short = msg.length > MAX_FAILURE ? `${msg.slice(0, MAX_FAILURE)}…` : msg;
  return e instanceof UnrecoverableError || !(e instanceof Error) ? new UnrecoverableError(short) : Object.assign(new Error(short), { name: e.name });
}

export type JobContext = {
  docker: Dockerode;
  redis: Redis;
  cfg: AgentConfig;
  deployments: DeploymentRunner;
  reconciler: Reconciler;
  proxy: ReverseProxy;
  afterAction: (dockerId: string) => Promise<void>;
  log: (m: string) => void;
};

export function createJobHandler(c: JobContext) {
  const run = jobRunner(c);
  return async function handle(job: Job): Promise<string | null> {
    const hasKey = typeof job.data === "object" && job.data !== null && "replyKey" in job.data;
    const reply = replyTo.safeParse(job.data);
    if (hasKey && !reply.success) throw new UnrecoverableError("The job's reply key is not a public key.");
    let result: unknown;
    try {
      result = await run(job);
    } catch (e) {
      throw shortFailure(e);
    }
    return reply.success ? sealReply(job, reply.data.replyKey, result) : null;
  };
}

/** A handler for every host job: its parsed payload in, the shape its definition's `result` names out. */
export type HostJobHandlers = {
  [K in HostJob["name"]]: (data: z.output<Extract<HostJob, { name: K }>["schema"]>) => Promise<z.input<Extract<HostJob, { name: K }>["result"]>>;
};

function jobHandlers({ docker, redis, cfg, deployments, reconciler, proxy, afterAction, log }: JobContext) {
  return {
    "container.action": async ({ dockerId, action }) => {
      await runContainerAction(docker, dockerId, action).catch(refused);
      await afterAction(dockerId);
      return { ok: true };
    },
    "container.logs": async (d) => ({ lines: await readLogs(docker, d.dockerId, { tail: d.tail, since: d.since, timestamps: d.timestamps }).catch(refused) }),
    "container.stats": ({ dockerId }) => sampleStats(docker, dockerId).catch(refused),
    "container.inspect": async ({ dockerId }) => containerDetails(await docker.getContainer(dockerId).inspect().catch(refused)),
    "container.env": async ({ dockerId }) => ({ env: containerEnv(await docker.getContainer(dockerId).inspect().catch(refused)) }),
    "images.list": async () => ({ images: await listImages(docker) }),
    "image.remove": async ({ imageId }) => {
      await removeImage(docker, imageId).catch(refused);
      return { ok: true };
    },
    "container.exec": (d) => startTerminal(docker, redis, cfg, d, log).catch(refused),
    "deployment.start": async ({ deploymentId }) => {
      await deployments.start(deploymentId);
      return { ok: true };
    },
    "deployment.cancel": async ({ deploymentId }) => ({ running: deployments.cancel(deploymentId) }),
    "release.prune": ({ tags }) => pruneReleaseTags(docker, tags),
    "service.remove": ({ serviceId }) => removeService(docker, proxy, serviceId, cfg.hostId).catch(refused),
    "environment.remove": ({ serviceIds, network }) => removeEnvironment(docker, proxy, serviceIds, network, cfg.hostId).catch(refused),
    // Answered at once; the pass runs in the background and reports what it found on the stream.
    "host.converge": async ({ nonce }) => {
      const key = desiredStateKey(cfg.prefix, cfg.hostId, nonce);
      reconciler.converge(await readSealedSpec(redis, cfg, key, desiredState, "The desired state expired before this host read it.").catch(refused));
      return { ok: true };
    },
    "git.check": async ({ serviceId, nonce }) => {
      const key = gitCheckKey(cfg.prefix, cfg.hostId, nonce);
      const spec = await readSealedSpec(redis, cfg, key, gitCheckSpec, "The connection test's instructions expired before this host picked them up.").catch(
        refused,
      );
      if (spec.serviceId !== serviceId) refused(new Error("The connection test's instructions are for another service."));
      return checkGitAccess(spec, { hostId: cfg.hostId, allowLocal: process.env.BERTH_ALLOW_LOCAL_GIT === "1" });
    },
    // Not while deployments run: the old agent goes a moment after the new one starts, and would take them along.
    "agent.update": async ({ version }) => {
      const running = deployments.activeIds().length;
      if (running) refused(new Error(`${running} deployment${running === 1 ? " is" : "s are"} running on this host: update the agent once they end.`));
      return updateAgent(docker, cfg, version, log).catch(refused);
    },
  } satisfies HostJobHandlers;
}

const definitions = new Map<string, HostJob>(HOST_JOBS.map((d) => [d.name, d]));

function jobRunner(c: JobContext) {
  const handlers: HostJobHandlers = jobHandlers(c);
  return async function run(job: Job): Promise<unknown> {
    const def = definitions.get(job.name);
    if (!def) throw new UnrecoverableError(`unknown job ${job.name}`);
    const handler = handlers[def.name] as (data: unknown) => Promise<unknown>;
    return handler(def.schema.parse(job.data));
  };
}
