// The team at a glance for the CLI (`berth status`) and a service found by its name: places, services, what
// runs and what was last asked for. Field names are the CLI's contract: add, never rename.
import { z } from "zod";
import { timestamp } from "./timestamp";
import { deploymentStatus } from "./deployment";

const kind = z.enum(["git", "image"]);

export const teamStatus = z.object({
  team: z.object({ slug: z.string(), name: z.string() }),
  hosts: z.array(z.object({ id: z.string(), name: z.string(), status: z.enum(["PENDING", "ONLINE", "OFFLINE"]), lastSeenAt: timestamp.nullable() })),
  projects: z.array(
    z.object({
      id: z.string(),
      slug: z.string(),
      name: z.string(),
      environments: z.array(
        z.object({
          id: z.string(),
          slug: z.string(),
          name: z.string(),
          protected: z.boolean(),
          services: z.array(
            z.object({
              id: z.string(),
              name: z.string(),
              kind,
              /** The host's name, or null while none is chosen. */
              host: z.string().nullable(),
              live: z
                .object({
                  id: z.string(),
                  number: z.number().int(),
                  status: deploymentStatus,
                  commitSha: z.string().nullable(),
                  image: z.string().nullable(),
                  finishedAt: timestamp.nullable(),
                })
                .nullable(),
              latest: z.object({ id: z.string(), number: z.number().int(), status: deploymentStatus, createdAt: timestamp }).nullable(),
            }),
          ),
        }),
      ),
    }),
  ),
});

export const serviceLookup = z.object({
  id: z.string(),
  name: z.string(),
  kind,
  environment: z.object({ id: z.string(), slug: z.string(), name: z.string(), protected: z.boolean() }),
  project: z.object({ id: z.string(), slug: z.string(), name: z.string() }),
  host: z.object({ id: z.string(), name: z.string() }).nullable(),
  live: z.object({ id: z.string(), number: z.number().int(), status: deploymentStatus }).nullable(),
});
