// Per-host Redis logins. Each host agent authenticates as `host-<id>`, allowed only the keys of its own
// queue and report stream, and no pub/sub channel. The control plane keeps the admin login.
import type { Redis } from "ioredis";
import { adminRedis } from "@/lib/redis/admin";
import { env } from "@/lib/env";
import { hostKeyPrefix, hostQueueName } from "./protocol";

export function hostRedisUser(hostId: string) {
  return hostQueueName(hostId);
}

/** Creates or resets the host's user. `tokenHash` is the SHA-256 hex of its password (never the password). */
export async function provisionHostUser(hostId: string, tokenHash: string, redis: Redis = adminRedis()): Promise<void> {
  await redis.call(
    "ACL",
    "SETUSER",
    hostRedisUser(hostId),
    "reset",
    "on",
    `#${tokenHash}`,
    ownKeyPattern(hostId),
    "resetchannels",
    "+@all",
    "-@dangerous",
    "+info",
    "+client",
  );
}

/** The key pattern a host's user has when this instance provisioned it (its queue prefix names the owner). */
export function ownKeyPattern(hostId: string) {
  return `~${hostKeyPrefix(env.queuePrefix, hostId)}*`;
}

/** The key pattern of the host's user as Redis has it, or null if Redis has no such user (e.g. after a restart). */
export async function hostUserKeyPattern(hostId: string, redis: Redis = adminRedis()): Promise<string | null> {
  const info = (await redis.call("ACL", "GETUSER", hostRedisUser(hostId))) as unknown[] | null;
  const i = info?.indexOf("keys") ?? -1;
  return i >= 0 && typeof info![i + 1] === "string" ? (info![i + 1] as string) : null;
}

/** Removes the host's user and disconnects any client still logged in as it. */
export async function revokeHostUser(hostId: string, redis: Redis = adminRedis()): Promise<void> {
  const user = hostRedisUser(hostId);
  await redis.call("ACL", "DELUSER", user);
  await redis.call("CLIENT", "KILL", "USER", user).catch(() => 0);
}

/** The Redis URL an agent uses: its own user and password, plus the queue prefix. */
export function agentRedisUrl(hostId: string, token: string, base = env.publicRedisUrl): string {
  const u = new URL(base);
  u.username = hostRedisUser(hostId);
  u.password = token;
  u.searchParams.set("prefix", env.queuePrefix);
  return u.toString();
}
