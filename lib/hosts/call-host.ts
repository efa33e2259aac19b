// The web app asks a host's agent to do something and waits for its answer (or Docker's error). The answer
// is sealed to a key pair made for this one call (lib/hosts/reply.ts), so it never rests in Redis in clear.
import { randomUUID } from "node:crypto";
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
  // Listening before the job exists: BullMQ's own waitUntilFinished listens after, then asks whether the job
  // finished, and a job a fast agent already answered and removed reads as "Missing key" (a lost answer).
  const jobId = randomUUID();
  const answered = answerOf(p.events, jobId, timeoutMs);
  answered.catch(() => {}); // awaited below; a failure before that must not be unhandled
  await p.queue.add(def.name, { ...(def.schema.parse(data) as object), replyKey: reply.publicKey }, { ...def.options, jobId });
  let answer: unknown;
  try {
    answer = await answered;
  } catch (e) {
    if (e instanceof TimedOut) {
      await p.queue.remove(jobId).catch(() => {});
      throw new HostJobError(`The host did not answer within ${Math.round(timeoutMs / 1000)} s. Is its agent running?`);
    }
    throw new HostJobError((e as Error).message);
  }
  const job = { name: def.name, id: jobId };
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

class TimedOut extends Error {}

/** The job's answer (its return value) or its failure, from the queue's events, or TimedOut. */
function answerOf(events: QueueEvents, jobId: string, timeoutMs: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      events.off("completed", onCompleted);
      events.off("failed", onFailed);
    };
    const onCompleted = (args: { jobId: string; returnvalue: unknown }) => {
      if (args.jobId !== jobId) return;
      done();
      resolve(args.returnvalue);
    };
    const onFailed = (args: { jobId: string; failedReason?: string }) => {
      if (args.jobId !== jobId) return;
      done();
      reject(new Error(args.failedReason || "the host's agent failed"));
    };
    const timer = setTimeout(() => {
      done();
      reject(new TimedOut());
    }, timeoutMs);
    events.on("completed", onCompleted);
    events.on("failed", onFailed);
  });
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
