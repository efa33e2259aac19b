// Jobs the control plane sends to one host's agent (queue `host-<id>`). Payloads are ids and options;
// the agent checks them again with these same schemas before touching Docker. Each names the schema of its
// answer (lib/hosts/results.ts): callHost parses the answer with it, and the agent's handler must return it.
import { z } from "zod";
import { gitCheckResult } from "@/lib/hosts/git-check";
import { CONTAINER_ACTIONS } from "@/lib/hosts/protocol";
import {
  agentUpdateResult,
  cancelResult,
  containerDetails,
  done,
  envResult,
  environmentRemoveResult,
  execResult,
  imagesResult,
  logsResult,
  pruneResult,
  serviceRemoveResult,
  statsSample,
} from "@/lib/hosts/results";
import { defineJob } from "./define-job";

const dockerId = z.string().regex(/^[0-9a-f]{12,64}$/, "Not a container id.");
const imageId = z.string().regex(/^(sha256:)?[0-9a-f]{12,64}$/, "Not an image id.");
// A result is delivered to its caller through the queue's events stream (sealed to the caller, see
// lib/hosts/reply.ts) and the job goes at once. A failure holds only Docker's short refusal and no stack
// trace, kept an hour (at most 100) for diagnosis.
const once = { attempts: 1, removeOnComplete: true, removeOnFail: { age: 3600, count: 100 }, stackTraceLimit: 0 } as const;

export const containerActionJob = defineJob({
  name: "container.action",
  queue: "host",
  schema: z.object({ dockerId, action: z.enum(CONTAINER_ACTIONS) }),
  result: done,
  options: once,
});

export const containerLogsJob = defineJob({
  name: "container.logs",
  queue: "host",
  schema: z.object({ dockerId, tail: z.number().int().min(1).max(5000), since: z.number().int().min(0).optional(), timestamps: z.boolean() }),
  result: logsResult,
  options: once,
});

export const containerStatsJob = defineJob({ name: "container.stats", queue: "host", schema: z.object({ dockerId }), result: statsSample, options: once });

export const containerInspectJob = defineJob({
  name: "container.inspect",
  queue: "host",
  schema: z.object({ dockerId }),
  result: containerDetails,
  options: once,
});

export const containerEnvJob = defineJob({ name: "container.env", queue: "host", schema: z.object({ dockerId }), result: envResult, options: once });

export const imagesListJob = defineJob({ name: "images.list", queue: "host", schema: z.object({}), result: imagesResult, options: once });

export const imageRemoveJob = defineJob({ name: "image.remove", queue: "host", schema: z.object({ imageId }), result: done, options: once });

/** Starts a terminal session; the agent answers once the shell runs and then serves it on its own. */
export const containerExecJob = defineJob({
  name: "container.exec",
  queue: "host",
  schema: z.object({
    dockerId,
    sessionId: z.string().uuid(),
    cols: z.number().int().min(1).max(1000),
    rows: z.number().int().min(1).max(500),
  }),
  result: execResult,
  options: once,
});

const deploymentId = z.string().min(1).max(64);

/** Starts a deployment; the agent answers at once and reports its progress on its stream. */
export const deploymentStartJob = defineJob({ name: "deployment.start", queue: "host", schema: z.object({ deploymentId }), result: done, options: once });

/** Stops a running deployment's clone, build or start; the agent reports it CANCELLED once cleaned up. */
export const deploymentCancelJob = defineJob({
  name: "deployment.cancel",
  queue: "host",
  schema: z.object({ deploymentId }),
  result: cancelResult,
  options: once,
});

/** Removes release tags Berth made; an image goes when its last tag does, and only if Berth built it. */
export const releasePruneJob = defineJob({
  name: "release.prune",
  queue: "host",
  schema: z.object({ tags: z.array(z.string().regex(/^berth-[a-z0-9]+:[0-9]+$/)).max(100) }),
  result: pruneResult,
  options: once,
});

/** "Test connection": git ls-remote of a git service's branch, with its credential and pinned host keys, which
 *  wait sealed under the host's keys (lib/hosts/git-check.ts). */
export const gitCheckJob = defineJob({
  name: "git.check",
  queue: "host",
  schema: z.object({ serviceId: z.string().min(1).max(64), nonce: z.string().uuid() }),
  result: gitCheckResult,
  options: once,
});

/** A deleted git service: its containers, proxy route and release images go. */
export const serviceRemoveJob = defineJob({
  name: "service.remove",
  queue: "host",
  schema: z.object({ serviceId: z.string().regex(/^[a-z0-9]{1,64}$/) }),
  result: serviceRemoveResult,
  options: once,
});

/**
 * A deleted environment (alone or with its project): the containers, proxy routes and release images of its
 * services that ran on this host, then its network (lib/deploy/names.ts containerBase), if Berth made it.
 */
export const environmentRemoveJob = defineJob({
  name: "environment.remove",
  queue: "host",
  schema: z.object({ serviceIds: z.array(z.string().regex(/^[a-z0-9]{1,64}$/)).max(1000), network: z.string().regex(/^berth-[a-z0-9][a-z0-9_.-]{0,120}$/) }),
  result: environmentRemoveResult,
  options: once,
});

/** Converge on the host's desired state, which waits sealed under the host's keys (lib/hosts/desired-state.ts). */
export const hostConvergeJob = defineJob({ name: "host.converge", queue: "host", schema: z.object({ nonce: z.string().uuid() }), result: done, options: once });

/** Replaces the agent (run from Berth's agent image) with `version`, fetched from Berth; services keep running. */
export const agentUpdateJob = defineJob({
  name: "agent.update",
  queue: "host",
  schema: z.object({ version: z.string().regex(/^[0-9A-Za-z.+_-]{1,100}$/) }),
  result: agentUpdateResult,
  options: once,
});

export const HOST_JOBS = [
  containerActionJob,
  containerLogsJob,
  containerStatsJob,
  containerInspectJob,
  containerEnvJob,
  imagesListJob,
  imageRemoveJob,
  containerExecJob,
  deploymentStartJob,
  deploymentCancelJob,
  releasePruneJob,
  serviceRemoveJob,
  hostConvergeJob,
  environmentRemoveJob,
  gitCheckJob,
  agentUpdateJob,
] as const;

/** Any host job's definition; `HostJob["name"]` is the union of their names. */
export type HostJob = (typeof HOST_JOBS)[number];
