// The agent's job handlers: each parses its payload with the shared definition, then calls Docker. One
// wrapper seals every result to the caller's reply key (lib/hosts/reply.ts), so no handler can leave log
// text or environment values in Redis in clear; a job sent without a reply key keeps no result at all.
import { UnrecoverableError, type Job } from "bullmq";
import type Dockerode from "dockerode";
import type { Redis } from "ioredis";
import {
  containerActionJob,
  containerExecJob,
  containerEnvJob,
  containerInspectJob,
  containerLogsJob,
  containerStatsJob,
  imageRemoveJob,
  imagesListJob,
  deploymentStartJob,
  deploymentCancelJob,
  releasePruneJob,
  serviceRemoveJob,
  gitCheckJob,
  environmentRemoveJob,
  hostConvergeJob,
} from "@/lib/jobs/host-jobs";
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

function jobRunner({ docker, redis, cfg, deployments, reconciler, proxy, afterAction, log }: JobContext) {
  return async function run(job: Job): Promise<unknown> {
    switch (job.name) {
      case containerActionJob.name: {
        const { dockerId, action } = containerActionJob.schema.parse(job.data);
        await runContainerAction(docker, dockerId, action).catch(refused);
        await afterAction(dockerId);
        return { ok: true };
      }
      case containerLogsJob.name: {
        const d = containerLogsJob.schema.parse(job.data);
        return { lines: await readLogs(docker, d.dockerId, { tail: d.tail, since: d.since, timestamps: d.timestamps }).catch(refused) };
      }
      case containerStatsJob.name: {
        const { dockerId } = containerStatsJob.schema.parse(job.data);
        return sampleStats(docker, dockerId).catch(refused);
      }
      case containerInspectJob.name: {
        const { dockerId } = containerInspectJob.schema.parse(job.data);
        return containerDetails(await docker.getContainer(dockerId).inspect().catch(refused));
      }
      case containerEnvJob.name: {
        const { dockerId } = containerEnvJob.schema.parse(job.data);
        return { env: containerEnv(await docker.getContainer(dockerId).inspect().catch(refused)) };
      }
      case imagesListJob.name:
        imagesListJob.schema.parse(job.data);
        return { images: await listImages(docker) };
      case imageRemoveJob.name: {
        const { imageId } = imageRemoveJob.schema.parse(job.data);
        await removeImage(docker, imageId).catch(refused);
        return { ok: true };
      }
      case containerExecJob.name: {
        const d = containerExecJob.schema.parse(job.data);
        return startTerminal(docker, redis, cfg, d, log).catch(refused);
      }
      case deploymentStartJob.name: {
        const { deploymentId } = deploymentStartJob.schema.parse(job.data);
        await deployments.start(deploymentId);
        return { ok: true };
      }
      case deploymentCancelJob.name: {
        const { deploymentId } = deploymentCancelJob.schema.parse(job.data);
        return { running: deployments.cancel(deploymentId) };
      }
      case releasePruneJob.name: {
        const { tags } = releasePruneJob.schema.parse(job.data);
        return pruneReleaseTags(docker, tags);
      }
      case serviceRemoveJob.name: {
        const { serviceId } = serviceRemoveJob.schema.parse(job.data);
        return removeService(docker, proxy, serviceId, cfg.hostId).catch(refused);
      }
      case environmentRemoveJob.name: {
        const { serviceIds, network } = environmentRemoveJob.schema.parse(job.data);
        return removeEnvironment(docker, proxy, serviceIds, network, cfg.hostId).catch(refused);
      }
      case hostConvergeJob.name: {
        // Answered at once; the pass runs in the background and reports what it found on the stream.
        const { nonce } = hostConvergeJob.schema.parse(job.data);
        const key = desiredStateKey(cfg.prefix, cfg.hostId, nonce);
        reconciler.converge(await readSealedSpec(redis, cfg, key, desiredState, "The desired state expired before this host read it.").catch(refused));
        return { ok: true };
      }
      case gitCheckJob.name: {
        const { serviceId, nonce } = gitCheckJob.schema.parse(job.data);
        const key = gitCheckKey(cfg.prefix, cfg.hostId, nonce);
        const spec = await readSealedSpec(redis, cfg, key, gitCheckSpec, "The connection test's instructions expired before this host picked them up.").catch(
          refused,
        );
        if (spec.serviceId !== serviceId) refused(new Error("The connection test's instructions are for another service."));
        return checkGitAccess(spec, { hostId: cfg.hostId, allowLocal: process.env.BERTH_ALLOW_LOCAL_GIT === "1" });
      }
      default:
        throw new UnrecoverableError(`unknown job ${job.name}`);
    }
  };
}
