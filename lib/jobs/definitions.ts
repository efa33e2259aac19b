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
