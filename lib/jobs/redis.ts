import type { ConnectionOptions } from "bullmq";
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
