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

/** Revokes the host's login and deletes its keys. Never throws: false means the sweep will finish it. */
export function forgetHost(hostId: string, redis: Redis = adminRedis()): Promise<boolean> {
  return forgetHosts([hostId], redis);
}

/**
 * Revokes the hosts' logins and deletes their keys in one pass over the keyspace, however many go: a SCAN walks
 * every key whatever it matches, and a pass per host made deleting a team of 1,000 hosts take a minute of Redis.
 * Never throws: false means the sweep will finish it.
 */
export async function forgetHosts(hostIds: string[], redis: Redis = adminRedis()): Promise<boolean> {
  if (hostIds.length === 0) return true;
  try {
    for (const id of hostIds) {
      await forgetHostCalls(id);
      await revokeHostUser(id, redis);
    }
    const gone = new Set(hostIds);
    const keyId = hostKeyId();
    const [only] = hostIds;
    const pattern = hostIds.length === 1 ? `${glob(hostKeyPrefix(env.queuePrefix, only!))}*` : `${glob(env.queuePrefix)}:host-*`;
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", SCAN_COUNT);
      cursor = next;
      const theirs = keys.filter((k) => gone.has(keyId.exec(k)?.[1] ?? ""));
      if (theirs.length) await redis.unlink(...theirs);
    } while (cursor !== "0");
    return true;
  } catch (e) {
    const which = hostIds.length === 1 ? `removed host ${hostIds[0]}` : `${hostIds.length} removed hosts`;
    console.error(`hosts: cleaning up Redis for ${which} failed (the control worker's sweep will retry): ${(e as Error).message}`);
    return false;
  }
}

/** The host id in one of this instance's host keys. */
const hostKeyId = () => new RegExp(`^${escapeRegex(env.queuePrefix)}:host-([a-z0-9]{1,64}):`);

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
  const keyId = hostKeyId();
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
  if (!(await forgetHosts(gone, redis))) throw new Error(`could not clean up hosts ${gone.join(", ")}`);
  return gone;
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const glob = (s: string) => s.replace(/[*?[\]\\]/g, "\\$&");
