import type { ConnectionOptions, QueueOptions } from "bullmq";
import { env } from "@/lib/env";

/** BullMQ connection settings parsed from REDIS_URL. */
export function redisConnection(): ConnectionOptions {
  const u = new URL(env.redisUrl);
  return {
    host: u.hostname || "127.0.0.1",
    port: u.port ? Number(u.port) : 6379,
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : undefined,
    tls: u.protocol === "rediss:" ? {} : undefined,
    maxRetriesPerRequest: null,
  };
}

// A queue's events stream only needs to hold what its live listeners have not read yet (they read from
// the moment they connect); BullMQ keeps 10,000 by default. Each Queue writes this into the queue's meta,
// where the scripts that append events (the agent's worker too) read it.
export const EVENTS_MAX_LEN = 1000;

/** Options for every Queue the control plane opens: its connection, the key prefix, the events stream's bound. */
export function queueOptions(): QueueOptions {
  return { connection: redisConnection(), prefix: env.queuePrefix, streams: { events: { maxLen: EVENTS_MAX_LEN } } };
}
