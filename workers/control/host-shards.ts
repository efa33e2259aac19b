// Which control worker reads which hosts' report streams, when there are several. A host's reports must be
// applied in order, so one host's stream has one reader at a time: hosts fall into SHARDS shards by a stable
// hash of their stream key, and a worker reads only the streams of the shards it holds a lease on in Redis:
// - a lease is `SET <prefix>:control:shard:<n> <worker> NX PX leaseMs`, renewed every leaseMs / 3 only while
//   its value is still this worker's (compare-and-set in Lua), deleted the same way when the worker stops;
// - each worker announces itself in a sorted set (score: until when it counts as alive) and holds at most
//   ceil(SHARDS / live workers) shards, so a second worker gets half of them within a few renewals, and a
//   worker that died (no renewal) leaves its shards to the others after leaseMs;
// - a worker acts on a shard only while its lease has more than leaseMs / 3 left by its own clock (measured
//   from before the renewal was sent), so a worker that cannot renew stops reading and applying well before
//   Redis lets another take the shard over. The new owner takes the shard's pending reports over at once
//   (report-stream.ts); re-applying one the old owner applied without acknowledging is harmless.
// Which worker prefers which shard is rendezvous hashing (the highest hash of worker and shard first), so
// workers mostly ask for different shards and a worker that leaves or joins moves few of them.
import type { Redis } from "ioredis";

export const SHARDS = 64;
const DEFAULT_LEASE_MS = 10_000;

/** FNV-1a, 32 bits: the same on every worker and across restarts. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

// Stream key → its hash, remembered: every round asks for each of a thousand hosts' streams.
const hashes = new Map<string, number>();
const MAX_HASHES = 100_000;

export function shardOf(streamKey: string, shards = SHARDS): number {
  let h = hashes.get(streamKey);
  if (h === undefined) {
    h = hash(streamKey);
    if (hashes.size >= MAX_HASHES) hashes.clear();
    hashes.set(streamKey, h);
  }
  return h % shards;
}

// KEYS: leases; ARGV: owner, ms. Renews each lease still held by owner; 1 renewed, 0 lost.
const RENEW = `local out = {}
for i, k in ipairs(KEYS) do
  if redis.call('GET', k) == ARGV[1] then redis.call('PEXPIRE', k, ARGV[2]); out[i] = 1 else out[i] = 0 end
end
return out`;
// KEYS: leases; ARGV: owner. Deletes each lease still held by owner.
const RELEASE = `for _, k in ipairs(KEYS) do
  if redis.call('GET', k) == ARGV[1] then redis.call('DEL', k) end
end
return 0`;
// KEYS: leases in order of preference; ARGV: owner, ms, how many. Takes free ones until it has enough.
const ACQUIRE = `local got, want = {}, tonumber(ARGV[3])
for i, k in ipairs(KEYS) do
  if #got >= want then break end
  if redis.call('SET', k, ARGV[1], 'NX', 'PX', ARGV[2]) then table.insert(got, i) end
end
return got`;

export type ShardLeasesOptions = {
  redis: Redis;
  /** The queue prefix: each Berth on a Redis has its own leases. */
  prefix: string;
  /** This worker's name (its report stream consumer name). */
  owner: string;
  shards?: number;
  /** How long a lease lasts without renewal (BERTH_REPORT_LEASE_MS, 10 s). */
  leaseMs?: number;
  log: (m: string) => void;
};

export type ShardLeases = ReturnType<typeof createShardLeases>;

export function createShardLeases(o: ShardLeasesOptions) {
  const shards = o.shards ?? SHARDS;
  const leaseMs = o.leaseMs ?? (Number(process.env.BERTH_REPORT_LEASE_MS) || DEFAULT_LEASE_MS);
  if (!Number.isInteger(shards) || shards < 1) throw new Error(`Invalid number of report shards: ${shards}`);
  if (!Number.isFinite(leaseMs) || leaseMs < 300) throw new Error(`Invalid report lease: ${leaseMs} ms (at least 300)`);
  const tick = Math.floor(leaseMs / 3);
  const leaseKey = (n: number) => `${o.prefix}:control:shard:${n}`;
  const workersKey = `${o.prefix}:control:workers`;
  const preference = [...Array(shards).keys()].sort((a, b) => hash(`${o.owner}:${b}`) - hash(`${o.owner}:${a}`));
  const rank = new Map(preference.map((n, i) => [n, i]));
  const validUntil = new Map<number, number>(); // shard → until when this worker may act on it
  let lastMaintain = 0;
  let lastRenew = 0;
  let closed = false;
  let chain: Promise<unknown> = Promise.resolve();
  /** Lease operations one at a time, so a renewal's answer never undoes a release made after it was sent. */
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = chain.then(fn, fn);
    chain = run.catch(() => undefined);
    return run;
  };

  async function renew() {
    const held = [...validUntil.keys()];
    const sentAt = Date.now();
    lastRenew = sentAt;
    if (held.length === 0) return;
    const res = (await o.redis.eval(RENEW, held.length, ...held.map(leaseKey), o.owner, leaseMs)) as number[];
    held.forEach((n, i) => {
      if (res[i] === 1) validUntil.set(n, sentAt + leaseMs);
      else if (validUntil.delete(n)) o.log(`lost the lease on report shard ${n}: another control worker reads its hosts now`);
    });
  }

  async function release(ns: number[]) {
    for (const n of ns) validUntil.delete(n);
    if (ns.length) await o.redis.eval(RELEASE, ns.length, ...ns.map(leaseKey), o.owner);
  }

  /** Renews, then gives up or takes shards so that each live worker holds about as many. */
  async function balance() {
    const now = Date.now();
    const [, , [, live]] = (await o.redis
      .multi()
      .zadd(workersKey, now + leaseMs, o.owner)
      .zremrangebyscore(workersKey, "-inf", now)
      .zcard(workersKey)
      .pexpire(workersKey, leaseMs * 3)
      .exec()) as [unknown, unknown, [Error | null, number]];
    await renew();
    const target = Math.ceil(shards / Math.max(1, live));
    const held = [...validUntil.keys()].sort((a, b) => rank.get(b)! - rank.get(a)!); // least preferred first
    if (held.length > target) await release(held.slice(0, held.length - target));
    else if (held.length < target) {
      const free = preference.filter((n) => !validUntil.has(n));
      const sentAt = Date.now();
      const got = (await o.redis.eval(ACQUIRE, free.length, ...free.map(leaseKey), o.owner, leaseMs, target - held.length)) as number[];
      for (const i of got) validUntil.set(free[i - 1]!, sentAt + leaseMs);
    }
  }

  const timer = setInterval(() => {
    if (closed || Date.now() - lastRenew < tick) return;
    serial(renew).catch((e) => o.log(`renewing report shard leases failed: ${(e as Error).message}`));
  }, tick);
  timer.unref();

  return {
    leaseMs,
    /** Called by the reader between reads (never during an apply): renews and rebalances every leaseMs / 3. */
    async maintain() {
      if (closed || Date.now() - lastMaintain < tick) return;
      lastMaintain = Date.now();
      await serial(balance);
    },
    /** Whether this worker may read and apply the stream now: it holds the shard with time to spare. */
    owns(streamKey: string): boolean {
      const until = validUntil.get(shardOf(streamKey, shards));
      return until !== undefined && until - Date.now() > tick;
    },
    /** The shards held now (for logs and tests). */
    held: () => [...validUntil.keys()].sort((a, b) => a - b),
    /** Gives every shard back at once (another worker takes them at its next balance) and leaves the set. */
    async close() {
      closed = true;
      clearInterval(timer);
      await serial(async () => {
        await release([...validUntil.keys()]);
        await o.redis.zrem(workersKey, o.owner);
      });
    },
  };
}
