// Every Redis connection of the agent is made here. Over rediss:// an enrolled agent trusts only Berth's own CA
// (received at enrollment), not the system's roots: no other certificate can stand in for Berth's Redis.
// `onError` hears every connection error (a refused login is how a removed host learns of it: removed.ts).
import { Redis } from "ioredis";
import type { AgentConfig } from "./config";

export function agentRedis(cfg: AgentConfig, onError: (e: Error) => void): Redis {
  const pinned = cfg.ca && cfg.redisUrl.startsWith("rediss:") ? { tls: { ca: [cfg.ca] } } : {};
  const redis = new Redis(cfg.redisUrl, { maxRetriesPerRequest: null, ...pinned });
  redis.on("error", onError);
  return redis;
}
