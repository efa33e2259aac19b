// Every job Berth runs. Payloads carry ids, never secrets or snapshots: workers re-load what they need.
import { z } from "zod";
import { defineJob } from "./define-job";

export const CONTROL_QUEUE = "control";

export const deliverEmail = defineJob({
  name: "deliver-email",
  queue: CONTROL_QUEUE,
  schema: z.object({ outboxId: z.string().min(1).max(64) }),
  options: {
    attempts: 5,
    backoff: { type: "exponential", delay: 1000 },
    removeOnComplete: { count: 1000 },
    removeOnFail: false, // kept for diagnosis
  },
});

/** Starts whatever queued deployments may start now (see lib/data/deployments/dispatch.ts). */
export const dispatchDeploymentsJob = defineJob({
  name: "deployments.dispatch",
  queue: CONTROL_QUEUE,
  schema: z.object({}),
  options: { attempts: 1, removeOnComplete: true, removeOnFail: { age: 3600 } },
});
