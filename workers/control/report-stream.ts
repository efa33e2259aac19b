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
import type { Redis } from "ioredis";

const MAX_ATTEMPTS = 10;
const COUNT = 100;
const BLOCK_MS = 1000;

type Entry = [id: string, fields: string[] | null];
type ReadResult = [key: string, entries: Entry[]][] | null;

export type StreamConsumerOptions = {
  reader: Redis; // blocking reads (its own connection)
  writer: Redis;
  group: string;
  consumer: string;
  keys: () => string[];
  apply: (key: string, id: string, fields: string[]) => Promise<void | "staged">;
  /**
   * Optional batching (host-reports.ts: heartbeats): `apply` may answer "staged" for an entry it only queued, and
   * `flush` writes everything queued at once (emptying its queue whether it succeeds or not). Staged entries are
   * acknowledged only once `flush` resolved; the consumer flushes at the end of each round and before applying
   * anything more of a stream with staged entries, so a host's reports stay in order. If `flush` fails, the
   * streams with staged entries wait and read them again from their pending list, like a failed entry.
   */
  flush?: () => Promise<void>;
  /** Whether the database answers: a failure while it does is the entry's own. */
  healthy: () => Promise<boolean>;
  reclaimAfterMs: number;
  /** The longest pause before a failed entry is tried again (the pause doubles from 250 ms). */
  maxRetryDelayMs?: number;
  log: (m: string) => void;
};

export function createStreamConsumer(o: StreamConsumerOptions) {
  const seen = new Set<string>();
  const history = new Set<string>(); // streams read from this consumer's pending list before new entries
  const retryAt = new Map<string, number>();
  const attempts = new Map<string, number>();
  const staged = new Map<string, string[]>(); // stream → entries `apply` staged, written by the next flush
  let flushFailures = 0;
  let lastReclaim = 0;
  const backoff = (attempt: number) => Math.min(250 * 2 ** (attempt - 1), o.maxRetryDelayMs ?? 5000);

  /** Applies entries in order; stops at the first failure (the rest wait in the pending list). */
  async function handle(key: string, entries: Entry[]) {
    for (const [id, fields] of entries) {
      if (!fields) {
        await o.writer.xack(key, o.group, id); // trimmed away before it was applied: nothing to apply
        continue;
      }
      if (staged.has(key) && !(await flushStaged())) return;
      try {
        if ((await o.apply(key, id, fields)) === "staged") {
          staged.set(key, [...(staged.get(key) ?? []), id]);
          continue; // acknowledged once written
        }
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
    }
  }

  /** Writes what `apply` staged, then acknowledges it. False if the write failed: those streams wait. */
  async function flushStaged(): Promise<boolean> {
    if (staged.size === 0 || !o.flush) return true;
    const held = [...staged];
    staged.clear();
    try {
      await o.flush();
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
    return true;
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

  return {
    /** One round: pending entries due for another try, then new entries (blocking up to a second). */
    async step() {
      const keys = o.keys();
      for (const k of keys) {
        // A consumer of this name may have had entries pending before a restart: read them first.
        if (!seen.has(k)) history.add(k);
        seen.add(k);
      }
      await reclaim(keys);
      const now = Date.now();
      const due = keys.filter((k) => history.has(k) && (retryAt.get(k) ?? 0) <= now);
      if (due.length) {
        const res = (await o.reader.xreadgroup("GROUP", o.group, o.consumer, "COUNT", COUNT, "STREAMS", ...due, ...due.map(() => "0"))) as ReadResult;
        const got = new Map(res ?? []);
        for (const k of due) {
          const entries = got.get(k) ?? [];
          if (entries.length === 0) {
            history.delete(k); // its pending list is empty: back to new entries
            retryAt.delete(k);
          } else await handle(k, entries);
        }
        await flushStaged();
      }
      const fresh = keys.filter((k) => !history.has(k));
      const waits = [...retryAt.values()].map((t) => t - Date.now());
      const block = waits.length ? Math.max(10, Math.min(BLOCK_MS, ...waits)) : BLOCK_MS;
      if (fresh.length === 0) {
        await new Promise((r) => setTimeout(r, keys.length ? block : 500));
        return;
      }
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
      for (const [k, entries] of res ?? []) await handle(k, entries);
      await flushStaged();
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
      history.clear();
      retryAt.clear();
    },
  };
}

function pairs(flat: unknown[]): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([String(flat[i]), flat[i + 1]]);
  return out;
}
