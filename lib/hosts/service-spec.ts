// What an image service may ask of Docker, shared by its settings form (lib/data/services.ts) and the
// deployment spec its host's agent parses again (deployment-spec.ts). Only named volumes, which the agent
// namespaces by the environment's id (lib/deploy/names.ts volumeName): host bind mounts, privileged mode,
// host networking and the Docker socket are not expressible at all.
import { z } from "zod";

export const IMAGE_REF =
  /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]+)?\/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;
export const VOLUME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}$/;
export const RESTART_POLICIES = ["no", "always", "unless-stopped", "on-failure"] as const;

export const portSpec = z.object({
  container: z.number().int().min(1).max(65535),
  host: z.number().int().min(1).max(65535).nullable(),
  protocol: z.enum(["tcp", "udp"]),
});
export const volumeSpec = z.object({
  source: z.string().regex(VOLUME_NAME, "Use a named volume (letters, digits, _ . -); host paths are not allowed."),
  target: z
    .string()
    .regex(/^\/[^\0]*$/, "The target must be an absolute path in the container.")
    .max(512),
  readOnly: z.boolean(),
});
