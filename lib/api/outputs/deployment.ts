// What the API says about a deployment. Sealed configuration, the log's raw copy and lease fields stay home.
import { z } from "zod";
import { timestamp } from "./timestamp";
import { ACTIVE_ORDER, TERMINAL } from "@/lib/deploy/states";

export const deploymentStatus = z.enum([...ACTIVE_ORDER, ...TERMINAL]);

export const timedStep = z.object({ status: deploymentStatus, startedAt: z.string(), ms: z.number().nullable(), running: z.boolean() });

export const deploymentSummary = z.object({
  id: z.string(),
  number: z.number().int(),
  status: deploymentStatus,
  trigger: z.string(),
  ref: z.string().nullable(),
  commitSha: z.string().nullable(),
  commitMessage: z.string().nullable(),
  commitAuthor: z.string().nullable(),
  image: z.string().nullable(),
  imageId: z.string().nullable(),
  registryRepo: z.string().nullable(),
  imageDigest: z.string().nullable(),
  pushError: z.string().nullable(),
  error: z.string().nullable(),
  actorEmail: z.string(),
  hostId: z.string().nullable(),
  sourceId: z.string().nullable(),
  createdAt: timestamp,
  finishedAt: timestamp.nullable(),
  timed: z.array(timedStep),
});

export const deploymentDetail = deploymentSummary.extend({
  cancelRequested: z.boolean(),
  position: z.number().int().nullable(),
  configKeys: z.unknown().transform((v) => (Array.isArray(v) ? v.filter((k): k is string => typeof k === "string") : null)),
  service: z.object({
    id: z.string(),
    name: z.string(),
    environmentId: z.string(),
    environment: z.object({ slug: z.string(), name: z.string(), protected: z.boolean(), project: z.object({ slug: z.string(), name: z.string() }) }),
  }),
  host: z.object({ id: z.string(), name: z.string() }).nullable(),
});

/** A deployment just made (deploy, rollback, promote): enough to follow it. */
export const createdDeployment = z.object({ id: z.string(), number: z.number().int() });
