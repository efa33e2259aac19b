// What a host's agent is told to do for one deployment. Built by the control plane from stored, validated
// service settings, sealed for that host only (host-seal.ts), and parsed again by the agent, which also
// re-validates the repository URL and ref, and checks the repository's or registry's addresses, before git
// or Docker sees them. Host bind mounts, privileged mode, host networking and the Docker socket are not
// expressible here at all: only named volumes, which the agent namespaces per environment.
import { z } from "zod";
import { IMAGE_REF, portSpec, RESTART_POLICIES, volumeSpec } from "./service-spec";

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;
/** `host[:port]` of a registry (an IPv6 literal in brackets). */
const REGISTRY_ADDRESS = /^(?:[a-zA-Z0-9.-]+|\[[0-9a-fA-F:]+\])(?::[0-9]{1,5})?$/;
export const REPOSITORY = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*){0,4}$/;
/** `<registry>/<repository>@sha256:<hex>`: an exact image, whatever its tags say later. */
export const DIGEST_REF =
  /^(?:[a-zA-Z0-9.-]+|\[[0-9a-fA-F:]+\])(?::[0-9]{1,5})?\/[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*){0,4}@sha256:[0-9a-f]{64}$/;
const HOSTNAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

export const gitAuthSpec = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("none") }),
  z.object({ kind: z.literal("ssh"), privateKey: z.string().min(1) }),
  z.object({ kind: z.literal("token"), token: z.string().min(1) }),
]);

export const deploymentSpec = z.object({
  deploymentId: z.string().min(1).max(64),
  serviceId: z.string().min(1).max(64),
  // Build from git, pull an image service's image, or run a release's exact image (rollback, promotion): this
  // host's copy, or pulled by digest from Berth's registry.
  source: z.discriminatedUnion("kind", [
    z.object({
      kind: z.literal("git"),
      url: z.string().max(2048),
      ref: z.string().max(255),
      commit: z
        .string()
        .regex(/^[0-9a-f]{40}$/)
        .nullable(),
      subdirectory: z.string().max(512),
      dockerfile: z.string().max(512),
      auth: gitAuthSpec,
      /** The git server's pinned SSH host keys (known_hosts lines); null: none pinned yet, the first clone pins. */
      hostKeys: z.string().max(16384).nullable().default(null),
    }),
    z.object({ kind: z.literal("pull"), image: z.string().max(512).regex(IMAGE_REF) }),
    z.object({
      kind: z.literal("image"),
      imageId: z.string().regex(/^sha256:[0-9a-f]{64}$/),
      /** The release in Berth's registry, by digest: pulled first when `always` (it ran on another host), else
       * only when this host lost the image; null: never pushed, so only this host's copy will do. */
      pull: z
        .object({ ref: z.string().max(512).regex(DIGEST_REF), always: z.boolean() })
        .nullable()
        .default(null),
    }),
  ]),
  /** The tag that keeps this release's image: berth-<service id>:<number>. */
  imageTag: z.string().regex(/^berth-[a-z0-9]+:[0-9]+$/),
  /** The running container's stable name; a candidate runs as `<name>-next-<n>` until it is live. */
  containerName: z.string().regex(NAME),
  network: z.string().regex(NAME),
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string()),
  labels: z.record(z.string(), z.string()),
  /** The port the health check probes (the one behind the proxy, if any); null: the container must keep running. */
  port: z.number().int().min(1).max(65535).nullable(),
  health: z.object({
    path: z
      .string()
      .regex(/^\/[\x21-\x7e]*$/)
      .max(512)
      .nullable(),
    timeoutSec: z.number().int().min(1).max(600),
  }),
  /** The proxy route's id and the hostnames it answers; null: an image service not behind the proxy. */
  route: z.object({ id: z.string().regex(/^[a-z0-9-]{1,64}$/), hosts: z.array(z.string().regex(HOSTNAME)).min(1).max(20) }).nullable(),
  /** An image service's container settings; null for a git service (its port only, restarted unless stopped). */
  run: z
    .object({
      /** Named volumes become `berth-<environmentId>-<name>` on the host. */
      environmentId: z.string().regex(/^[a-zA-Z0-9]{1,64}$/),
      command: z.array(z.string().max(4096)).max(64),
      ports: z.array(portSpec).max(32),
      volumes: z.array(volumeSpec).max(32),
      restartPolicy: z.enum(RESTART_POLICIES),
    })
    .nullable()
    .default(null),
  /** "switch": the new container beside the old until it is healthy; "recreate": the old stops first (lib/deploy/image-rules.ts). */
  strategy: z.enum(["switch", "recreate"]).default("switch"),
  strategyReason: z.string().max(300).nullable().default(null),
  /** Berth's registry: where the agent pushes the release once it is live (as `<address>/<repository>:<number>`)
   * and trusts `ca` for; null: Berth has no registry set up (the release then stays on this host). */
  registry: z
    .object({
      address: z.string().max(261).regex(REGISTRY_ADDRESS),
      ca: z.string().min(1).max(65536),
      repository: z.string().max(255).regex(REPOSITORY),
    })
    .nullable()
    .default(null),
  /** Values to mask in the log: the configuration's secrets and the git credential. */
  mask: z.array(z.string()).max(500),
  /** The host's admin allowed clones and pulls from private networks (lib/net/outbound.ts); link-local and metadata never. */
  allowPrivateNetworks: z.boolean().default(false),
});
export type DeploymentSpec = z.infer<typeof deploymentSpec>;

export function deploymentSpecKey(prefix: string, hostId: string, deploymentId: string) {
  return `${prefix}:host-${hostId}:deployment:${deploymentId}:spec`;
}

/** The deployment's log lines, appended by the agent and read by the console (resumable by entry id). */
export function deploymentLogKey(prefix: string, hostId: string, deploymentId: string) {
  return `${prefix}:host-${hostId}:deployment:${deploymentId}:log`;
}
