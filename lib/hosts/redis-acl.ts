// Per-host Redis logins. Each host agent authenticates as `host-<id>`: it may run only the commands listed
// below, only on the keys of its own queue and streams (`<prefix>:host-<id>:*`), and no pub/sub channel.
// Nothing here reaches across tenants: no SCAN/KEYS (key patterns do not filter their output), no CLIENT
// beyond naming its own connection, no MONITOR, CONFIG, FLUSH*, DEBUG, SCRIPT, FUNCTION or ACL. Lua scripts
// run with the caller's rights, so a script touching another host's key is refused like the command itself.
// The control plane keeps the admin login.
import type { Redis } from "ioredis";
import { adminRedis } from "@/lib/redis/admin";
import { env } from "@/lib/env";
import { currentAgentImage } from "./agent-image";
import { type Hello, helloKey } from "./handshake";
import { hostKeyPrefix, hostQueueName, PROTOCOL_VERSION } from "./protocol";

/**
 * Every command a host's login may run, written once. Found by reading BullMQ's worker and Lua scripts
 * (node_modules/bullmq/dist/cjs/commands; tests/unit/host-redis-commands.test.ts checks the list still covers
 * them) and by watching a real agent work (tests/integration/redis-acl.test.ts: no denial in Redis's ACL LOG).
 */
export const HOST_COMMANDS = [
  // Connection set-up and liveness (PING). ioredis's ready check and BullMQ's version check read INFO (server-wide figures, no
  // key or client names); BullMQ names its connections and fails if it cannot (CLIENT SETNAME only: never
  // CLIENT LIST, KILL or PAUSE, which would show or cut off other tenants' connections). ioredis's CLIENT
  // SETINFO is left out: Redis 7.0 does not know it, and ioredis ignores its refusal.
  "info",
  "ping",
  "client|setname",
  // BullMQ's worker: its Lua scripts (EVALSHA, EVAL after a NOSCRIPT), the blocking wait for a job, and what
  // it reads and writes outside scripts (job hashes, the events stream, MULTI for batches).
  "evalsha",
  "eval",
  "bzpopmin",
  "multi",
  "exec",
  // Inside BullMQ's scripts (and its few direct calls): jobs are hashes, states are lists and sorted sets,
  // events a stream (XADD, XTRIM), locks plain keys.
  ...["get", "set", "del", "unlink", "exists", "type", "rename", "incr", "persist", "pexpire", "pexpireat", "pttl"],
  ...["hget", "hset", "hmset", "hmget", "hgetall", "hdel", "hexists", "hincrby", "hlen"],
  ...["lpush", "rpush", "lpop", "rpop", "rpoplpush", "lrange", "llen", "lrem", "lset", "ltrim", "lindex", "lpos"],
  ...["sadd", "srem", "scard", "smembers", "sismember"],
  ...["zadd", "zrem", "zscore", "zcard", "zcount", "zrange", "zrangebyscore", "zrevrange", "zrevrangebyscore"],
  ...["zremrangebyscore", "zremrangebyrank", "zpopmin"],
  ...["xadd", "xtrim"],
  // The agent's own, beyond XADD, MULTI and DEL above: deploy log streams expire (EXPIRE), sealed specs and
  // desired states are taken once (GETDEL), terminal sessions read `in` (XREAD BLOCK) and delete what they read.
  ...["expire", "getdel", "xread", "xdel"],
];

export function hostRedisUser(hostId: string) {
  return hostQueueName(hostId);
}

/**
 * Creates or resets the host's user, and tells its agent which protocol Berth speaks (the `hello` key under
 * the host's prefix, lib/hosts/handshake.ts). `tokenHash` is the SHA-256 hex of its password (never the password).
 */
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
    "-@all",
    ...HOST_COMMANDS.map((c) => `+${c}`),
  );
  const hello: Hello = { protocolVersion: PROTOCOL_VERSION, agentVersion: currentAgentImage()?.version ?? null };
  await redis.set(helloKey(env.queuePrefix, hostId), JSON.stringify(hello));
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
