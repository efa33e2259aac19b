// The web app's side of the bus: put a job on its queue, validated by its definition's schema.
import { Queue } from "bullmq";
import type { z } from "zod";
import type { JobDefinition } from "./define-job";
import { queueOptions } from "./redis";

const queues = new Map<string, Queue>();

function queue(name: string): Queue {
  let q = queues.get(name);
  if (!q) {
    q = new Queue(name, queueOptions());
    queues.set(name, q);
  }
  return q;
}

/** `jobId` makes enqueueing idempotent: the same id is never queued twice while it exists. */
export async function enqueue<S extends z.ZodType>(def: JobDefinition<S>, data: z.input<S>, jobId?: string) {
  const payload = def.schema.parse(data);
  return queue(def.queue).add(def.name, payload, { ...def.options, jobId });
}

export async function closeQueues(): Promise<void> {
  await Promise.all([...queues.values()].map((q) => q.close()));
  queues.clear();
}
