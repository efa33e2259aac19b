// The control plane's side of a host's job queue. `callHost` asks a host's agent to do something and waits for
// its answer (or Docker's error); `sendToHost` only queues the job. The answer is sealed to a key pair made for
// this one call (lib/hosts/reply.ts), so it never rests in Redis in clear.
// What this costs does not grow with the hosts called: every host's Queue shares one connection, and answers
// are read from the hosts' event streams by one blocked XREAD per process (lib/redis/stream-tail.ts), not a
// QueueEvents (a blocking connection) per host. A call starts following its host's events from the stream's
// last entry as it stood before the job was added, so an answer that comes at once is never missed (a
// QueueEvents reads from `$` only at its first blocked read, which came after it said it was ready: a fast
// answer in between was lost and the call timed out).
import { randomUUID } from "node:crypto";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import type { z } from "zod";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import type { AnsweringJobDefinition, JobDefinition } from "@/lib/jobs/define-job";
import { queueOptions } from "@/lib/jobs/redis";
import { adminRedis } from "@/lib/redis/admin";
import { createStreamTail, field } from "@/lib/redis/stream-tail";
import { hostQueueName } from "./protocol";
import { createReplyKey, openReply } from "./reply";

const queues = new Map<string, Queue>();
let shared: Redis | undefined; // every host's Queue on one connection (each adds its listeners to it)
const answers = createStreamTail("host-answers");

function hostQueue(hostId: string): Queue {
  let q = queues.get(hostId);
  if (!q) {
    if (!shared) {
      shared = new Redis(env.redisUrl, { maxRetriesPerRequest: null });
      shared.setMaxListeners(0);
      shared.on("error", (e) => console.error(`redis (host queues): ${e.message}`));
    }
    q = new Queue(hostQueueName(hostId), { ...queueOptions(), connection: shared });
    queues.set(hostId, q);
  }
  return q;
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
  const queue = hostQueue(hostId);
  const reply = createReplyKey();
  const jobId = randomUUID();
  const { answered } = await answerOf(queue, jobId, timeoutMs);
  answered.catch(() => {}); // awaited below; a failure before that must not be unhandled
  await queue.add(def.name, { ...(def.schema.parse(data) as object), replyKey: reply.publicKey }, { ...def.options, jobId });
  let answer: unknown;
  try {
    answer = await answered;
  } catch (e) {
    if (e instanceof TimedOut) {
      await queue.remove(jobId).catch(() => {});
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

/**
 * Follows the queue's events from their last entry now, before the job exists (its answer cannot be older);
 * resolves to the job's answer (its return value), rejects with its failure or TimedOut.
 */
async function answerOf(queue: Queue, jobId: string, timeoutMs: number): Promise<{ answered: Promise<unknown> }> {
  const key = queue.keys.events!;
  const [last] = (await adminRedis().xrevrange(key, "+", "-", "COUNT", 1)) as [string, string[]][];
  const answered = new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      following.stop();
      reject(new TimedOut());
    }, timeoutMs);
    const following = answers.follow(key, last?.[0] ?? "0-0", ({ entries }) => {
      for (const { fields } of entries) {
        if (field(fields, "jobId") !== jobId) continue;
        const event = field(fields, "event");
        if (event !== "completed" && event !== "failed") continue;
        clearTimeout(timer);
        following.stop();
        if (event === "failed") reject(new Error(field(fields, "failedReason") || "the host's agent failed"));
        else {
          try {
            resolve(JSON.parse(field(fields, "returnvalue") ?? "null"));
          } catch {
            reject(new Error("the host's answer was not JSON"));
          }
        }
        return;
      }
    });
  });
  return { answered };
}

/** Puts a job on the host's queue without waiting: its progress comes back on the host's report stream (or
 *  nothing does), and the agent keeps no result for it (there is no reply key to seal one to). */
export async function sendToHost<S extends z.ZodType>(hostId: string, def: JobDefinition<S>, data: z.input<S>): Promise<void> {
  await hostQueue(hostId).add(def.name, def.schema.parse(data), def.options);
}

/** Forgets a removed host's queue (its keys are about to go). */
export async function forgetHostCalls(hostId: string) {
  const q = queues.get(hostId);
  if (!q) return;
  queues.delete(hostId);
  await q.close().catch(() => {});
}

/** Forgets the queues of hosts that no longer exist (their keys went with them). */
export function retainHostCalls(hostIds: Set<string>) {
  for (const id of queues.keys()) if (!hostIds.has(id)) void forgetHostCalls(id);
}

export async function closeHostCalls() {
  await Promise.all([...queues.values()].map((q) => q.close().catch(() => {})));
  queues.clear();
  answers.close();
  await shared?.quit().catch(() => {});
  shared = undefined;
}
