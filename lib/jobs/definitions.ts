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
    removeOnComplete: { age: 24 * 3600, count: 1000 },
    removeOnFail: { age: 7 * 24 * 3600, count: 1000 }, // kept a while for diagnosis (the outbox row keeps the error)
  },
});

/** Starts whatever queued deployments may start now (see lib/data/deployments/dispatch.ts). */
export const dispatchDeploymentsJob = defineJob({
  name: "deployments.dispatch",
  queue: CONTROL_QUEUE,
  schema: z.object({}),
  options: { attempts: 1, removeOnComplete: true, removeOnFail: { age: 3600, count: 100 } },
});
