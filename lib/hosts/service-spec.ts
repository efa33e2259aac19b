// What a host's agent is told to run for a service. Built by the control plane from validated input,
// sealed for that host only (see host-seal.ts), and parsed again by the agent before touching Docker.
// Only named volumes, which the agent namespaces by the environment's id (lib/deploy/names.ts volumeName):
// host bind mounts, privileged mode, host networking and the Docker socket are not expressible here at all.
import { z } from "zod";

export const IMAGE_REF = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]+)?\/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;
export const VOLUME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}$/;
export const RESTART_POLICIES = ["no", "always", "unless-stopped", "on-failure"] as const;

export const portSpec = z.object({
  container: z.number().int().min(1).max(65535),
  host: z.number().int().min(1).max(65535).nullable(),
  protocol: z.enum(["tcp", "udp"]),
});
export const volumeSpec = z.object({
  source: z.string().regex(VOLUME_NAME, "Use a named volume (letters, digits, _ . -); host paths are not allowed."),
  target: z.string().regex(/^\/[^\0]*$/, "The target must be an absolute path in the container.").max(512),
  readOnly: z.boolean(),
});

export const serviceSpec = z.object({
  serviceId: z.string().min(1).max(64),
  /** Named volumes become `berth-<environmentId>-<name>` on the host. */
  environmentId: z.string().regex(/^[a-zA-Z0-9]{1,64}$/),
  containerName: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/),
  network: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/),
  image: z.string().regex(IMAGE_REF),
  command: z.array(z.string().max(4096)).max(64),
  ports: z.array(portSpec).max(32),
  volumes: z.array(volumeSpec).max(32),
  restartPolicy: z.enum(RESTART_POLICIES),
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string()),
  labels: z.record(z.string(), z.string()),
  /** The host's admin allowed image pulls from registries on private networks (lib/net/outbound.ts). */
  allowPrivateNetworks: z.boolean().default(false),
});
export type ServiceSpec = z.infer<typeof serviceSpec>;

export function specKey(prefix: string, hostId: string, nonce: string) {
  return `${prefix}:host-${hostId}:deploy:${nonce}`;
}
