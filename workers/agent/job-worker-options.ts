// How an agent takes its host's jobs (BullMQ Worker options). The bench's simulated agents use them too, so
// they cost Redis what agents do.
import type { WorkerOptions } from "bullmq";

/**
 * `drainDelay`: how long (s) an idle agent's blocking wait for a job lasts before it asks again. A job added
 * wakes the wait at once (BullMQ's marker), so a longer one delays nothing; each ends in a BZPOPMIN and a
 * moveToActive script, and at BullMQ's default of 5 s a thousand idle agents cost Redis about 400 commands a
 * second. 10 s is the longest BullMQ advises for a blocking command on Redis.
 */
export const JOB_WORKER_OPTIONS = { concurrency: 4, drainDelay: 10 } satisfies Partial<WorkerOptions>;
