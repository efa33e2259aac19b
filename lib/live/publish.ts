import type { Redis } from "ioredis";
import { teamChannel, type LiveMessage } from "./channels";

export async function publishLive(redis: Redis, teamId: string | null, msg: Omit<LiveMessage, "at">) {
  if (!teamId) return;
  await redis.publish(teamChannel(teamId), JSON.stringify({ ...msg, at: Date.now() }));
}
