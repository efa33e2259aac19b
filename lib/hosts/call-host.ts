// The web app asks a host's agent to do something and waits for its answer (or Docker's error). The answer
// is sealed to a key pair made for this one call (lib/hosts/reply.ts), so it never rests in Redis in clear.
import { Queue, QueueEvents } from "bullmq";
import type { z } from "zod";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import type { AnsweringJobDefinition, JobDefinition } from "@/lib/jobs/define-job";
import { queueOptions, redisConnection } from "@/lib/jobs/redis";
import { hostQueueName } from "./protocol";
import { createReplyKey, openReply } from "./reply";

type Pair = { queue: Queue; events: QueueEvents; ready: Promise<unknown> };
const pairs = new Map<string, Pair>();

function pair(hostId: string): Pair {
  let p = pairs.get(hostId);
  if (!p) {
    const name = hostQueueName(hostId);
    const events = new QueueEvents(name, { connection: redisConnection(), prefix: env.queuePrefix });
    p = { queue: new Queue(name, queueOptions()), events, ready: events.waitUntilReady() };
    pairs.set(hostId, p);
  }
  return p;
}

/** Docker refused, or the agent failed: the message is shown to the user as it is. */
export class HostJobError extends AppError {
  constructor(message: string) {
    super(message, 502, "host_error");
  }
}

/** Asks the host and waits for its answer, parsed with the job's `result` schema. */
export async function callHost<S extends z.ZodType, R extends z.ZodType>(
  hostId: string,
  def: AnsweringJobDefinition<S, R>,
  data: z.input<S>,
  timeoutMs = 30_000,
): Promise<z.output<R>> {
  const p = pair(hostId);
  await p.ready;
  const reply = createReplyKey();
  const job = await p.queue.add(def.name, { ...(def.schema.parse(data) as object), replyKey: reply.publicKey }, def.options);
  let answer: unknown;
  try {
    answer = await job.waitUntilFinished(p.events, timeoutMs);
  } catch (e) {
    const msg = (e as Error).message;
    if (/timed out/i.test(msg)) {
      await job.remove().catch(() => {});
      throw new HostJobError(`The host did not answer within ${Math.round(timeoutMs / 1000)} s. Is its agent running?`);
    }
    throw new HostJobError(msg);
  }
  let opened: unknown;
  try {
    opened = openReply(reply, job, answer);
  } catch {
    throw new HostJobError("The host's answer could not be opened: is its agent up to date?");
  }
  const parsed = def.result.safeParse(opened);
  if (!parsed.success) throw new HostJobError("The host's answer did not match what Berth expects: is its agent up to date?");
  return parsed.data;
}

/** Puts a job on the host's queue without waiting: its progress comes back on the host's report stream, and
 *  the agent keeps no result for it (there is no reply key to seal one to). */
export async function sendToHost<S extends z.ZodType>(hostId: string, def: JobDefinition<S>, data: z.input<S>): Promise<void> {
  await pair(hostId).queue.add(def.name, def.schema.parse(data), def.options);
}

/** Stops listening to a removed host's queue (its keys are about to go). */
export async function forgetHostCalls(hostId: string) {
  const p = pairs.get(hostId);
  if (!p) return;
  pairs.delete(hostId);
  await Promise.all([p.queue.close(), p.events.close()]).catch(() => {});
}

export async function closeHostCalls() {
  await Promise.all([...pairs.values()].flatMap((p) => [p.queue.close(), p.events.close()]));
  pairs.clear();
}
