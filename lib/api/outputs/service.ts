// What the API says about services and their git settings. The git credential (deploy key's private half or
// access token) and the sealed webhook secret stay home; the secret leaves only through the reveal and rotate
// answers (`webhookSecret`), which are audited.
import { z } from "zod";
import { GIT_PROBLEM_KINDS } from "@/lib/git/explain";
import { portSpec, RESTART_POLICIES, volumeSpec } from "@/lib/hosts/service-spec";
import { createdDeployment } from "./deployment";

/** A JSON or text column, held to the shape it was validated to when written. */
const stored = <T extends z.ZodType>(shape: T) => z.unknown().pipe(shape);

/** A service just made, and the settings it has now (image services). */
export const imageServiceSettings = z.object({
  id: z.string(),
  name: z.string(),
  image: z.string(),
  command: stored(z.array(z.string())),
  ports: stored(z.array(portSpec)),
  volumes: stored(z.array(volumeSpec)),
  restartPolicy: stored(z.enum(RESTART_POLICIES)),
  hostId: z.string().nullable(),
  /** Null: not behind the host's proxy. */
  httpPort: z.number().int().nullable(),
  healthPath: z.string().nullable(),
  healthTimeoutSec: z.number().int(),
  domains: stored(z.array(z.string())),
  keepReleases: z.number().int(),
});

const hostKey = z.object({ host: z.string(), type: z.string(), fingerprint: z.string() });

/** A git service's settings as its page shows them: never the credential or the webhook secret. */
export const gitServiceSettings = z.object({
  id: z.string(),
  name: z.string(),
  gitUrl: z.string().nullable(),
  gitBranch: z.string().nullable(),
  gitSubdir: z.string(),
  dockerfile: z.string(),
  gitAuth: stored(z.enum(["none", "ssh", "token"])),
  /** The deploy key's public half (ssh), to add to the repository as a read-only deploy key. */
  gitPublicKey: z.string().nullable(),
  deployKeyFingerprint: z.string().nullable(),
  /** The git server's pinned SSH host keys, and another key it offers instead (an admin accepts it). */
  hostKeys: z.array(hostKey),
  hostKeyOffer: z.array(hostKey),
  hostId: z.string().nullable(),
  httpPort: z.number().int().nullable(),
  healthPath: z.string().nullable(),
  healthTimeoutSec: z.number().int(),
  domains: z.array(z.string()),
  keepReleases: z.number().int(),
  urls: z.array(z.string()),
  /** Where the git host posts pushes; its secret is revealed separately. */
  webhookUrl: z.string(),
});

/** The webhook's address and the secret that signs its deliveries. */
export const webhookSecret = z.object({ url: z.string(), secret: z.string() });

export const deployKey = z.object({ publicKey: z.string(), fingerprint: z.string() });

/** "Test connection": the branch's commit, or the failure explained. */
export const gitConnectionTest = z.discriminatedUnion("ok", [
  z.object({
    ok: z.literal(true),
    ref: z.string(),
    commit: z.string(),
    /** The server's host keys (`type fingerprint`) when none are pinned yet: the first deployment pins them. */
    firstHostKeys: z.array(z.string()),
  }),
  z.object({
    ok: z.literal(false),
    ref: z.string(),
    problem: z.object({ kind: z.enum(GIT_PROBLEM_KINDS), title: z.string(), reason: z.string(), hint: z.string().nullable() }),
    /** The server offered another host key than the pinned one; it now waits for an admin to accept it. */
    hostKeyOffered: z.boolean(),
  }),
]);

/** How each host's clean-up went after a service was deleted (an offline host does it when back). */
export const deletedService = z.object({
  hosts: z.array(z.object({ hostId: z.string(), done: z.boolean(), error: z.string().optional() })),
});

/** Deployments queued for an environment's services, one per service. */
export const queuedDeployments = z.object({ deployments: z.array(createdDeployment.extend({ serviceId: z.string() })) });
