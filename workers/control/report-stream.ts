// Reading every host's report stream through one consumer group, so that no report is lost and none is
// applied out of order:
// - an entry is acknowledged (XACK) only after `apply` resolved, i.e. after its Postgres write committed;
// - one that failed stays pending and its stream waits: it is read again, with what followed it, from this
//   consumer's own pending list (XREADGROUP … 0) after a short pause, so a host's reports stay in order;
// - entries a crashed control worker was given but never acknowledged are claimed (XAUTOCLAIM) once idle
//   for `reclaimAfterMs`, and applied here (applying is idempotent: reports carry their time, deployment
//   steps only move forward);
// - an entry that keeps failing while the database answers (a report that cannot be applied, not an outage)
//   is dropped after MAX_ATTEMPTS, so it cannot hold its host's stream forever.
// With several control workers (`shards`, host-shards.ts) each reads only the streams of the shards it holds,
// so a host's reports have one reader at a time: a stream it gains is first taken over whole (its pending
// entries claimed at once, whoever held them: the lease says they are gone) and its pending list read before
// new entries; a stream it loses is neither read nor applied any further.
// The streams of a round are applied CONCURRENTLY streams at a time (each stream's entries strictly in order, by
// one task): applying waits mostly on Postgres commits and Redis round trips, so one stream at a time left a
// 1,000-host control plane idle and behind. A round waits for its streams at most PATIENCE_MS once all have
// started: one still being applied then goes on alone, and is left out of the reads until it is done (so its
// order holds), while the next round reads every other host's news. A stream never applies an entry while its
// staged entries are being written by a flush someone else started: it waits for that flush (and stops if it
// failed).
// What was applied is trimmed away every TRIM_EVERY_MS (below the oldest entry pending anywhere in the group):
// the agent's MAXLEN (workers/agent/reporter.ts, 5,000 entries) bounds a stream only while nobody reads it.
import type { Redis } from "ioredis";
import { compareEntryIds } from "@/lib/redis/stream-tail";
import { createShardLeases, type ShardLeasesOptions } from "./host-shards";

const MAX_ATTEMPTS = 10;
const COUNT = 100;
/** Streams applied at once: below the Postgres pool (lib/db.ts: 10), which the sweep and the flushes share. */
const CONCURRENTLY = 8;
/**
 * How long a round waits for its slowest streams. One slow apply (a snapshot's transaction waiting on a lock or
 * a commit, for hundreds of ms on a loaded machine) held every other host's news with it: at 1,000 hosts most
 * rounds over 200 ms were a single entry's apply.
 */
const PATIENCE_MS = 100;
const BLOCK_MS = 1000;
/**
 * The shortest time between two reads of new entries. Each read names every stream this worker holds (at 1,000
 * hosts ~80 KB to send, and a thousand keys for Redis to look at and block on), and under load a read returned
 * after every few reports: socket writes of those reads were a fifth of the worker's CPU. So a busy worker takes
 * what arrived in this time in one read; a report waits at most this much longer.
 */
const MIN_ROUND_MS = 50;
/**
 * How often applied entries are trimmed. Kept, a host's acknowledged reports filled its stream up to the agent's
 * MAXLEN: hours of snapshots, several MB per host of 50 containers (gigabytes of Redis at 1,000 hosts), which
 * every AOF rewrite (a forked copy of the data set) wrote out again.
 */
const TRIM_EVERY_MS = 30_000;

type Entry = [id: string, fields: string[] | null];
type ReadResult = [key: string, entries: Entry[]][] | null;

export type StreamConsumerOptions = {
  reader: Redis; // blocking reads (its own connection)
  writer: Redis;
  group: string;
  consumer: string;
  keys: () => string[];
  apply: (key: string, id: string, fields: string[]) => Promise<void>;
  /**
   * Optional batching (host-reports.ts: heartbeats): `stage` queues an entry it takes (answering true; false: the
   * entry goes to `apply`), synchronously, so that no flush can start between its queueing and the consumer's
   * record of it; `flush` writes everything queued at once (emptying its queue whether it succeeds or not).
   * Staged entries are acknowledged only once `flush` resolved; the consumer flushes at the end of each round
   * and before applying an entry of a stream with staged entries (a run of staged entries needs none), so a
   * host's reports stay in order. If `flush` fails, the streams with staged entries wait and read them again
   * from their pending list, like a failed entry.
   */
  stage?: (key: string, id: string, fields: string[]) => boolean;
  flush?: () => Promise<void>;
  /** Whether the database answers: a failure while it does is the entry's own. */
  healthy: () => Promise<boolean>;
  reclaimAfterMs: number;
  /** How often applied entries are trimmed away (TRIM_EVERY_MS). */
  trimEveryMs?: number;
  /** The longest pause before a failed entry is tried again (the pause doubles from 250 ms). */
  maxRetryDelayMs?: number;
  log: (m: string) => void;
  /** Shard the streams among the control workers (host-shards.ts; `prefix`: the queue prefix): read only
   * the streams of shards this consumer holds. Without: every stream. */
  shards?: Pick<ShardLeasesOptions, "prefix" | "shards" | "leaseMs">;
};

export function createStreamConsumer(o: StreamConsumerOptions) {
  const seen = new Set<string>();
  const history = new Set<string>(); // streams read from this consumer's pending list before new entries
  const retryAt = new Map<string, number>();
  const attempts = new Map<string, number>();
  const staged = new Map<string, string[]>(); // stream → entries staged, written by the next flush
  const flushing = new Map<string, Promise<boolean>>(); // stream → the flush writing its staged entries now
  let flushFailures = 0;
  const leases = o.shards && createShardLeases({ ...o.shards, redis: o.writer, owner: o.consumer, log: o.log });
  const owned = new Set<string>(); // with leases: streams taken over (their pending entries claimed)
  let lastReclaim = 0;
  const busy = new Map<string, Promise<void>>(); // streams whose entries are being applied (by a round gone on)
  let slotsTaken = 0;
  const slotWaiters: (() => void)[] = [];
  const acked = new Map<string, string>(); // stream → the last entry acknowledged here since the last trim
  let lastTrim = Date.now();
  let lastRead = 0;
  const backoff = (attempt: number) => Math.min(250 * 2 ** (attempt - 1), o.maxRetryDelayMs ?? 5000);

  /** Applies entries in order; stops at the first failure (the rest wait in the pending list). */
  async function handle(key: string, entries: Entry[]) {
    for (const [id, fields] of entries) {
      if (leases && !leases.owns(key)) return; // lost meanwhile: the next owner takes these over
      if (!fields) {
        await o.writer.xack(key, o.group, id); // trimmed away before it was applied: nothing to apply
        acked.set(key, id);
        continue;
      }
      // At most one flush writes a stream's entries at a time: its next entry waits for one under way.
      const inFlight = flushing.get(key);
      if (inFlight && !(await inFlight)) return;
      if (o.stage?.(key, id, fields)) {
        staged.set(key, [...(staged.get(key) ?? []), id]);
        continue; // acknowledged once written
      }
      if (staged.has(key) && !(await flushStaged())) return;
      try {
        await o.apply(key, id, fields);
      } catch (e) {
        const n = (attempts.get(id) ?? 0) + 1;
        attempts.set(id, n);
        const why = (e as Error).message;
        if (n >= MAX_ATTEMPTS && (await o.healthy())) {
          o.log(`dropped report ${id} on ${key}: it failed ${n} times while the database answered (${why})`);
        } else {
          if (n === 1 || n % 10 === 0) o.log(`applying report ${id} on ${key} failed (${why}); it stays pending and is tried again`);
          history.add(key);
          retryAt.set(key, Date.now() + backoff(n));
          return;
        }
      }
      attempts.delete(id);
      await o.writer.xack(key, o.group, id);
      acked.set(key, id);
    }
  }

  /** Writes what was staged, then acknowledges it. False if the write failed: those streams wait. Flushes
   * may overlap (concurrent streams): each writes and acknowledges only what was staged before it started. */
  function flushStaged(): Promise<boolean> {
    if (staged.size === 0 || !o.flush) return Promise.resolve(true);
    const held = [...staged];
    staged.clear();
    const done = writeStaged(held, o.flush);
    for (const [key] of held) flushing.set(key, done);
    done
      .finally(() => {
        for (const [key] of held) if (flushing.get(key) === done) flushing.delete(key);
      })
      .catch(() => {}); // (its callers get the error)
    return done;
  }

  async function writeStaged(held: [string, string[]][], flush: () => Promise<void>): Promise<boolean> {
    try {
      await flush();
    } catch (e) {
      flushFailures++;
      if (flushFailures === 1 || flushFailures % 10 === 0)
        o.log(`writing the staged reports of ${held.length} stream(s) failed (${(e as Error).message}); they stay pending and are tried again`);
      for (const [key] of held) {
        history.add(key);
        retryAt.set(key, Date.now() + backoff(flushFailures));
      }
      return false;
    }
    flushFailures = 0;
    const p = o.writer.pipeline();
    for (const [key, ids] of held) p.xack(key, o.group, ...ids);
    for (const [err] of (await p.exec()) ?? []) if (err) throw err;
    for (const [key, ids] of held) acked.set(key, ids.at(-1)!);
    return true;
  }

  /** Runs `fn` once one of the CONCURRENTLY slots (shared by every round) is free. */
  async function inSlot<T>(fn: () => Promise<T>, started: () => void): Promise<T> {
    if (slotsTaken >= CONCURRENTLY) await new Promise<void>((r) => slotWaiters.push(r));
    slotsTaken++;
    started();
    try {
      return await fn();
    } finally {
      slotsTaken--;
      slotWaiters.shift()?.();
    }
  }

  /**
   * Applies each stream's entries (in order), CONCURRENTLY streams at a time, then writes what was staged. Returns
   * once they are all applied, or PATIENCE_MS after the last one started: the rest go on (`busy`), and a failure
   * of theirs is logged and their entries read again from the pending list.
   */
  async function handleAll(work: [string, Entry[]][]) {
    let failed: unknown = null;
    let gone = false;
    let waiting = work.length;
    let allStarted!: () => void;
    const started = new Promise<void>((r) => (allStarted = r));
    const tasks = work.map(([k, entries]) => {
      const task = inSlot(
        () => handle(k, entries),
        () => --waiting === 0 && allStarted(),
      )
        .catch((e) => {
          history.add(k); // whatever it left pending is read again, in order
          if (!gone) failed ??= e;
          else o.log(`applying the reports on ${k} failed (${(e as Error).message}); they stay pending and are read again`);
        })
        .finally(() => busy.delete(k));
      busy.set(k, task);
      return task;
    });
    if (work.length === 0) allStarted();
    await Promise.race([Promise.all(tasks), started.then(() => new Promise((r) => setTimeout(r, PATIENCE_MS)))]);
    gone = true;
    if (failed !== null) throw failed;
    await flushStaged();
  }

  /** Entries another consumer (a control worker that died) left pending: this one takes them over. */
  async function reclaim(keys: string[]) {
    if (Date.now() - lastReclaim < Math.min(o.reclaimAfterMs, 5000)) return;
    lastReclaim = Date.now();
    const p = o.writer.pipeline();
    for (const k of keys) p.xautoclaim(k, o.group, o.consumer, o.reclaimAfterMs, "0-0", "COUNT", COUNT, "JUSTID");
    const results = (await p.exec()) ?? [];
    results.forEach(([err, res], i) => {
      const claimed = !err && Array.isArray(res) ? (res[1] as string[]) : [];
      if (claimed.length === 0) return;
      history.add(keys[i]!);
      o.log(`took over ${claimed.length} report(s) on ${keys[i]} left unacknowledged by another control worker`);
    });
  }

  /**
   * Trims what was applied: each stream up to the last entry acknowledged here, or below the oldest entry
   * pending in the group if that is older (another consumer's, unacknowledged), so nothing unapplied goes.
   */
  async function trim() {
    if (Date.now() - lastTrim < (o.trimEveryMs ?? TRIM_EVERY_MS) || acked.size === 0) return;
    lastTrim = Date.now();
    const done = [...acked];
    acked.clear();
    try {
      const p = o.writer.pipeline();
      for (const [k] of done) p.xpending(k, o.group);
      const pend = (await p.exec()) ?? [];
      const t = o.writer.pipeline();
      done.forEach(([k, id], i) => {
        const [err, summary] = pend[i] ?? [new Error("no answer")];
        if (err) return;
        const [count, oldest] = summary as [number, string | null];
        t.xtrim(k, "MINID", count > 0 && oldest && compareEntryIds(oldest, id) < 0 ? oldest : id);
      });
      for (const [err] of (await t.exec()) ?? []) if (err) throw err;
    } catch (e) {
      o.log(`trimming applied reports failed (${(e as Error).message}); tried again later`);
    }
  }

  /** Streams of shards gained since the last round: every entry pending on them becomes this consumer's. */
  async function takeOver(keys: string[]) {
    for (const k of owned) if (!leases!.owns(k)) forget(k);
    let todo = keys.filter((k) => !owned.has(k)).map((k) => [k, "0-0"] as [string, string]);
    let claimed = 0;
    while (todo.length) {
      const p = o.writer.pipeline();
      for (const [k, from] of todo) p.xautoclaim(k, o.group, o.consumer, 0, from, "COUNT", COUNT, "JUSTID");
      const results = (await p.exec()) ?? [];
      const next: [string, string][] = [];
      results.forEach(([err, res], i) => {
        const k = todo[i]![0];
        if (err && !err.message.includes("NOGROUP")) throw err; // (no group yet: nothing to take over)
        const [cursor, ids] = err ? ["0-0", []] : (res as [string, string[]]);
        claimed += ids.length;
        if (cursor === "0-0") owned.add(k);
        else next.push([k, cursor]);
      });
      todo = next;
    }
    for (const k of keys) {
      if (owned.has(k) && !seen.has(k)) {
        seen.add(k);
        history.add(k); // its pending list (what was claimed, in order) before new entries
      }
    }
    if (claimed) o.log(`took over ${claimed} report(s) pending on the hosts of shards this control worker now holds`);
  }

  function forget(k: string) {
    owned.delete(k);
    acked.delete(k);
    seen.delete(k);
    history.delete(k);
    retryAt.delete(k);
  }

  return {
    /** One round: pending entries due for another try, then new entries (blocking up to a second). */
    async step() {
      let keys = o.keys();
      if (leases) {
        await leases.maintain();
        keys = keys.filter((k) => leases.owns(k));
        await takeOver(keys);
      }
      for (const k of keys) {
        // A consumer of this name may have had entries pending before a restart: read them first.
        if (!seen.has(k)) history.add(k);
        seen.add(k);
      }
      await reclaim(keys);
      await trim();
      const now = Date.now();
      const due = keys.filter((k) => history.has(k) && !busy.has(k) && (retryAt.get(k) ?? 0) <= now);
      if (due.length) {
        const res = (await o.reader.xreadgroup("GROUP", o.group, o.consumer, "COUNT", COUNT, "STREAMS", ...due, ...due.map(() => "0"))) as ReadResult;
        const got = new Map(res ?? []);
        const work: [string, Entry[]][] = [];
        for (const k of due) {
          const entries = got.get(k) ?? [];
          if (entries.length === 0) {
            history.delete(k); // its pending list is empty: back to new entries
            retryAt.delete(k);
          } else work.push([k, entries]);
        }
        await handleAll(work);
      }
      const fresh = keys.filter((k) => !history.has(k) && !busy.has(k));
      const waits = [...retryAt.values()].map((t) => t - Date.now());
      if (busy.size) waits.push(PATIENCE_MS); // a stream gone on is read again soon after it is done
      const block = waits.length ? Math.max(10, Math.min(BLOCK_MS, ...waits)) : BLOCK_MS;
      if (fresh.length === 0) {
        await new Promise((r) => setTimeout(r, keys.length ? block : 500));
        return;
      }
      const early = lastRead + MIN_ROUND_MS - Date.now();
      if (early > 0) await new Promise((r) => setTimeout(r, early));
      lastRead = Date.now();
      const res = (await o.reader.xreadgroup(
        "GROUP",
        o.group,
        o.consumer,
        "COUNT",
        COUNT,
        "BLOCK",
        block,
        "STREAMS",
        ...fresh,
        ...fresh.map(() => ">"),
      )) as ReadResult;
      await handleAll(res ?? []);
    },

    /** Whether `id` is the oldest entry of its stream not yet acknowledged: everything before it is applied. */
    async isOldestPending(key: string, id: string): Promise<boolean> {
      const first = (await o.writer.xpending(key, o.group, "-", "+", 1)) as [string, string, number, number][];
      return first.length === 0 || first[0]![0] === id;
    },

    /** Whether every entry of the stream has been applied (none pending, none unread). */
    async settled(key: string): Promise<boolean> {
      const groups = (await o.writer.xinfo("GROUPS", key).catch(() => [])) as (string | number)[][];
      const g = groups.map((f) => Object.fromEntries(pairs(f))).find((f) => f.name === o.group);
      if (!g) return true; // no group: nothing was ever read, nothing to wait for
      const stream = Object.fromEntries(pairs((await o.writer.xinfo("STREAM", key)) as (string | number)[]));
      return Number(g.pending) === 0 && g["last-delivered-id"] === stream["last-generated-id"];
    },

    /** Forget a stream's state (its group was recreated, e.g. after Redis lost it). */
    reset() {
      seen.clear();
      acked.clear();
      history.clear();
      retryAt.clear();
      owned.clear();
    },

    /** Gives this worker's shards back (if it holds any), so the others take its hosts over at once; first
     * lets the streams still being applied finish (for up to 10 s). */
    async close() {
      await Promise.race([Promise.allSettled(busy.values()), new Promise((r) => setTimeout(r, 10_000).unref())]);
      await leases?.close();
    },

    /** The shards this consumer holds (all of them when not sharded: null). */
    held: () => leases?.held() ?? null,
  };
}

function pairs(flat: unknown[]): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([String(flat[i]), flat[i + 1]]);
  return out;
}
