// The wire contract between a host agent and the control plane: what an agent reports about its Docker
// Engine. Shared by the agent (which builds and validates it) and the control worker (which parses it).
import { z } from "zod";
import { REPOSITORY } from "./deployment-spec";

/** The wire protocol this code speaks: raised whenever a job, report or key changes in a way the other side
 * cannot read. Agents say theirs in every heartbeat, Berth in the host's `hello` key (lib/hosts/handshake.ts). */
export const PROTOCOL_VERSION = 2;

export const CONTAINER_STATES = ["created", "running", "paused", "restarting", "removing", "exited", "dead"] as const;

export const portMapping = z.object({
  privatePort: z.number().int(),
  publicPort: z.number().int().nullable(),
  type: z.string(),
  ip: z.string().nullable(),
});

/** One container as the console lists it. Times are ISO strings. */
export const containerSummary = z.object({
  dockerId: z.string().regex(/^[0-9a-f]{64}$/),
  name: z.string(),
  image: z.string(),
  imageId: z.string(),
  command: z.string(),
  state: z.enum(CONTAINER_STATES),
  /** Docker's own words, e.g. "Exited (137) 5 seconds ago". */
  status: z.string(),
  health: z.enum(["starting", "healthy", "unhealthy"]).nullable(),
  ports: z.array(portMapping),
  labels: z.record(z.string(), z.string()),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  exitCode: z.number().int().nullable(),
  restartPolicy: z.string(),
});
export type ContainerSummary = z.infer<typeof containerSummary>;

/** What a heartbeat says about the host and its engine. */
export const hostFacts = z.object({
  agentVersion: z.string(),
  dockerVersion: z.string(),
  apiVersion: z.string(),
  os: z.string(),
  kernel: z.string(),
  cpuCount: z.number().int(),
  cpuPercent: z.number(),
  memTotalBytes: z.number(),
  memUsedBytes: z.number(),
  images: z.number().int(),
  /** An agent from before the handshake says nothing: protocol 1. */
  protocolVersion: z.number().int().min(1).default(1),
  /** It runs from Berth's agent image (and can update itself). */
  inContainer: z.boolean().default(false),
});
export type HostFacts = z.infer<typeof hostFacts>;

export const DEPLOYMENT_STEPS = ["CLONING", "BUILDING", "PULLING", "STARTING", "HEALTH_CHECK", "LIVE", "FAILED", "CANCELLED"] as const;

/** A deployment's progress, as its agent reports it. */
export const deploymentReport = z.object({
  type: z.literal("deployment"),
  at: z.string(),
  deploymentId: z.string().min(1).max(64),
  status: z.enum(DEPLOYMENT_STEPS),
  commit: z.object({ sha: z.string().regex(/^[0-9a-f]{40}$/), message: z.string().max(2000), author: z.string().max(500) }).optional(),
  imageId: z
    .string()
    .regex(/^sha256:[0-9a-f]{64}$/)
    .optional(),
  error: z.string().max(8000).optional(),
  /** The git server's SSH host keys (known_hosts lines) a first successful clone met: pinned if none are. */
  hostKeys: z.string().max(16384).optional(),
  /** The keys the git server offers instead of the pinned ones (the clone failed), for an admin to accept. */
  hostKeyOffer: z.string().max(16384).optional(),
});
export type DeploymentReport = z.infer<typeof deploymentReport>;

/** A live release pushed to Berth's registry (after it went live, apart from the deployment): the manifest
 * digest other hosts pull it by, or why the push failed (the release then runs only where it is). */
export const releaseReport = z.object({
  type: z.literal("release"),
  at: z.string(),
  deploymentId: z.string().min(1).max(64),
  // Pushed: where and as what (both or neither)...
  repository: z.string().max(255).regex(REPOSITORY).optional(),
  digest: z
    .string()
    .regex(/^sha256:[0-9a-f]{64}$/)
    .optional(),
  // ...or why not.
  error: z.string().min(1).max(2000).optional(),
});
export type ReleaseReport = z.infer<typeof releaseReport>;

/** What the agent found when it compared a service with what should run (lib/hosts/desired-state.ts):
 * `problem` null while it serves the release Postgres names, otherwise why not, in a person's words. */
export const servingFinding = z.object({ serviceId: z.string().min(1).max(64), problem: z.string().max(1000).nullable() });
export type ServingFinding = z.infer<typeof servingFinding>;

/** A report an agent appends to its stream. */
export const hostReport = z.discriminatedUnion("type", [
  // `deployments`: the ones this agent is running now, which renews their leases.
  z.object({ type: z.literal("heartbeat"), at: z.string(), facts: hostFacts, deployments: z.array(z.string()).max(100).optional() }),
  deploymentReport,
  releaseReport,
  // The whole truth: containers absent from it are gone.
  z.object({ type: z.literal("snapshot"), at: z.string(), containers: z.array(containerSummary) }),
  z.object({ type: z.literal("container"), at: z.string(), container: containerSummary }),
  z.object({ type: z.literal("removed"), at: z.string(), dockerId: z.string() }),
  z.object({ type: z.literal("goodbye"), at: z.string() }),
  // After each convergence pass: the services it looked at (others keep what was last reported).
  z.object({ type: z.literal("serving"), at: z.string(), services: z.array(servingFinding).max(5000) }),
]);
export type HostReport = z.infer<typeof hostReport>;

export const CONTAINER_ACTIONS = ["start", "stop", "restart", "kill", "remove"] as const;
export type ContainerAction = (typeof CONTAINER_ACTIONS)[number];

/** Redis key names for one host; every key a host's credentials may touch starts with `hostKeyPrefix`. */
export function hostQueueName(hostId: string) {
  return `host-${hostId}`;
}
export function hostKeyPrefix(prefix: string, hostId: string) {
  return `${prefix}:${hostQueueName(hostId)}:`;
}
export function hostReportStream(prefix: string, hostId: string) {
  return `${hostKeyPrefix(prefix, hostId)}reports`;
}

/** A terminal session's two streams: `out` written by the agent, `in` by the web app. */
export function execStreamKey(prefix: string, hostId: string, sessionId: string, dir: "in" | "out") {
  return `${hostKeyPrefix(prefix, hostId)}exec:${sessionId}:${dir}`;
}

export const terminalInput = z.discriminatedUnion("type", [
  z.object({ type: z.literal("data"), data: z.string().max(64 * 1024) }),
  z.object({ type: z.literal("resize"), cols: z.number().int().min(1).max(1000), rows: z.number().int().min(1).max(500) }),
  z.object({ type: z.literal("close") }),
]);
export type TerminalInput = z.infer<typeof terminalInput>;
