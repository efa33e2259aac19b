// What should run on one host, as the control plane sees it in Postgres: for each service placed there, its
// live release (container, image tag) and its proxy route, plus what must not be touched (releases kept for
// rollback, deployments still running). The agent compares it with Docker and Caddy and converges
// (workers/agent/reconcile/). Sent after every snapshot the agent reports, sealed for the host under its own
// Redis keys and deleted once read: `restore` carries the configuration (secrets included) of live releases
// whose container the snapshot lacked, so the agent can recreate them exactly as they ran.
import { z } from "zod";
import { deploymentSpec, REPOSITORY } from "./deployment-spec";
import { hostKeyPrefix } from "./protocol";

const HOSTNAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;
const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;
const TAG = /^berth-[a-z0-9]+:[0-9]+$/;
const id = z.string().min(1).max(64);

export const desiredService = z.object({
  serviceId: id,
  /** The live container's stable name, and the environment network it and its route's upstream live on. */
  containerName: z.string().regex(NAME),
  network: z.string().regex(NAME),
  /** The port behind the proxy (the release's own port label wins, see the agent's plan); null: none. */
  port: z.number().int().min(1).max(65535).nullable(),
  route: z.object({ id: z.string().regex(/^[a-z0-9-]{1,64}$/), hosts: z.array(z.string().regex(HOSTNAME)).min(1).max(20) }).nullable(),
  /** The release Postgres names as serving; null: nothing should run (never deployed, or none went live). */
  live: z
    .object({
      deploymentId: id,
      number: z.number().int().min(1),
      imageTag: z.string().regex(TAG).nullable(),
      /** Not in Berth's registry yet (its push failed, or never ran): the repository to push it to. */
      push: z.string().max(255).regex(REPOSITORY).nullable().default(null),
    })
    .nullable(),
  /** Release tags to keep: rollback targets (live, not pruned) and the tags of deployments still running. */
  keepTags: z.array(z.string().regex(TAG)).max(1000),
  /** Deployments of the service not yet ended: their containers and tags are theirs. */
  active: z.array(id).max(100),
  /** The highest deployment number the control plane knew: newer tags belong to deployments it had not seen. */
  newest: z.number().int().min(0),
});
export type DesiredService = z.infer<typeof desiredService>;

export const desiredState = z.object({
  hostId: id,
  /** The `at` of the snapshot this answers (the agent's own clock): anything the agent did after it is newer. */
  basis: z.string(),
  services: z.array(desiredService).max(5000),
  /** Berth's registry, for live releases still to push; null: none set up. */
  registry: z
    .object({ address: z.string().max(261), ca: z.string().min(1).max(65536) })
    .nullable()
    .default(null),
  /** Specs of live releases to recreate (their container was missing from the snapshot). */
  restore: z.array(deploymentSpec).max(100),
});
export type DesiredState = z.infer<typeof desiredState>;

export function desiredStateKey(prefix: string, hostId: string, nonce: string) {
  return `${hostKeyPrefix(prefix, hostId)}desired:${nonce}`;
}
