// What a host leaves in Redis goes with it: its login (deleting it also cuts the agent's connections, so
// nothing new is written) and then every key under its prefix: queue, jobs, events, reports, terminal
// streams, deployment logs and specs. Idempotent. When Redis cannot be reached the removal is logged and the
// control worker's sweep finishes it: it removes the logins and keys of hosts that no longer exist.
import type { Redis } from "ioredis";
import { env } from "@/lib/env";
import { adminRedis } from "@/lib/redis/admin";
import { forgetHostCalls } from "./call-host";
import { hostKeyPrefix } from "./protocol";
import { hostUserKeyPattern, ownKeyPattern, revokeHostUser } from "./redis-acl";

const SCAN_COUNT = 1000;

/** Deletes every key matching `pattern` (SCAN, so Redis is never blocked); returns how many went. */
async function unlinkMatching(redis: Redis, pattern: string): Promise<number> {
  let cursor = "0";
  let removed = 0;
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", SCAN_COUNT);
    cursor = next;
    if (keys.length) removed += await redis.unlink(...keys);
  } while (cursor !== "0");
  return removed;
}

/** Revokes the host's login and deletes its keys. Never throws: false means the sweep will finish it. */
export async function forgetHost(hostId: string, redis: Redis = adminRedis()): Promise<boolean> {
  try {
    await forgetHostCalls(hostId);
    await revokeHostUser(hostId, redis);
    await unlinkMatching(redis, `${glob(hostKeyPrefix(env.queuePrefix, hostId))}*`);
    return true;
  } catch (e) {
    console.error(`hosts: cleaning up Redis for removed host ${hostId} failed (the control worker's sweep will retry): ${(e as Error).message}`);
    return false;
  }
}

const USER = /^host-([a-z0-9]{1,64})$/;

/**
 * Removes the logins and keys of hosts that no longer exist. Redis is listed first and Postgres asked
 * afterwards (`existing`), so a host created meanwhile (its row committed before its login) is never taken.
 * Only logins whose key pattern is this instance's prefix are considered: another Berth on the same Redis
 * keeps its own. Returns the ids it cleaned up.
 */
export async function sweepRemovedHosts(existing: () => Promise<Set<string>>, redis: Redis = adminRedis()): Promise<string[]> {
  const candidates = new Set<string>();
  for (const user of (await redis.call("ACL", "USERS")) as string[]) {
    const id = USER.exec(user)?.[1];
    if (id && (await hostUserKeyPattern(id, redis)) === ownKeyPattern(id)) candidates.add(id);
  }
  const keyId = new RegExp(`^${escapeRegex(env.queuePrefix)}:host-([a-z0-9]{1,64}):`);
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${glob(env.queuePrefix)}:host-*`, "COUNT", SCAN_COUNT);
    cursor = next;
    for (const k of keys) {
      const id = keyId.exec(k)?.[1];
      if (id) candidates.add(id);
    }
  } while (cursor !== "0");
  if (candidates.size === 0) return [];
  const known = await existing();
  const gone = [...candidates].filter((id) => !known.has(id));
  for (const id of gone) if (!(await forgetHost(id, redis))) throw new Error(`could not clean up host ${id}`);
  return gone;
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const glob = (s: string) => s.replace(/[*?[\]\\]/g, "\\$&");
