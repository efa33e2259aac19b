import type { Redis } from "ioredis";
import { type LiveNews, teamChannel } from "./channels";

export async function publishLive(redis: Redis, teamId: string | null, msg: LiveNews) {
  if (!teamId) return;
  await redis.publish(teamChannel(teamId), JSON.stringify({ ...msg, at: Date.now() }));
}
