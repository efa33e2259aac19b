// One log tail per web process: a Redis connection of its own blocks in one XREAD over the log streams of the
// running deployments that someone in this process is watching, and hands each new entry to those viewers. So a
// hundred viewers of ten deployments cost one blocked read, not a hundred polls.
//
// The key set changes as viewers come and go. A new key must be read at once (its viewer is waiting), so the
// blocked read is woken with CLIENT UNBLOCK from the admin connection (the control plane's own login may; host
// logins may not run CLIENT). The read also blocks at most BLOCK_MS: an UNBLOCK that reached Redis just before the
// XREAD it meant to wake costs that long, never more. A key nobody watches any more is simply left out of the next
// read; its entries read meanwhile go to nobody.
//
// Each batch says which entry id the read started after (`from`): a viewer whose cursor is before it missed
// entries another viewer's read already consumed (it joined while they arrived) and reads them itself.
import { Redis } from "ioredis";
import { env } from "@/lib/env";
import { deploymentLogKey } from "@/lib/hosts/deployment-spec";
import { adminRedis } from "@/lib/redis/admin";

export type LogEntry = { id: string; line: string };
export type LogBatch = { from: string; entries: LogEntry[] };
type Viewer = (batch: LogBatch) => void;
type Watch = { lastId: string; viewers: Set<Viewer> };

const BLOCK_MS = 2_000;
/** Entries per key and read; a longer burst is read on the next round, right away. */
const COUNT = 500;
const RETRY_MS = 1_000;

const watches = new Map<string, Watch>();
let conn: Redis | undefined;
let clientId: number | undefined;
let running = false;

/** Stream entry ids in order ("-", a cursor that read nothing yet, is before every entry). */
export function compareEntryIds(a: string, b: string): number {
  const [am, as] = split(a);
  const [bm, bs] = split(b);
  return am !== bm ? (am < bm ? -1 : 1) : as === bs ? 0 : as < bs ? -1 : 1;
}

function split(id: string): [bigint, bigint] {
  if (id === "-") return [0n, 0n];
  const [ms, seq] = id.split("-");
  return [BigInt(ms ?? 0), BigInt(seq ?? 0)];
}

function connection(): Redis {
  if (conn) return conn;
  conn = new Redis(env.redisUrl, { maxRetriesPerRequest: null, connectionName: `berth-log-tail-${process.pid}` });
  conn.on("error", (e) => console.error("log tail: redis:", e.message));
  conn.on("close", () => (clientId = undefined)); // a new connection has a new id
  return conn;
}

/**
 * Hands `viewer` the entries of the deployment's log after `after` (an entry id, or "-") as they arrive, until
 * the returned function is called. `behind` is true when the tail has already read past `after`: the viewer
 * should read the log from its cursor once (entries up to the tail's position will not come as a batch).
 */
export function followLog(hostId: string, deploymentId: string, after: string, viewer: Viewer): { stop: () => void; behind: boolean } {
  const key = deploymentLogKey(env.queuePrefix, hostId, deploymentId);
  let w = watches.get(key);
  let behind = false;
  if (w) behind = compareEntryIds(w.lastId, after) > 0;
  else {
    w = { lastId: after === "-" ? "0-0" : after, viewers: new Set() };
    watches.set(key, w);
    if (running) wake();
    else void run();
  }
  w.viewers.add(viewer);
  const mine = w;
  const stop = () => {
    mine.viewers.delete(viewer);
    if (mine.viewers.size === 0 && watches.get(key) === mine) watches.delete(key);
  };
  return { stop, behind };
}

function wake() {
  if (clientId === undefined) return; // not blocked yet: the next read includes the new key
  adminRedis()
    .client("UNBLOCK", clientId)
    .catch((e) => console.error(`log tail: CLIENT UNBLOCK failed (the new key waits up to ${BLOCK_MS} ms): ${e.message}`));
}

async function run() {
  running = true;
  try {
    while (watches.size) {
      const reading = [...watches.entries()].map(([key, w]) => ({ key, w, from: w.lastId }));
      try {
        const c = connection();
        if (clientId === undefined) clientId = Number(await c.client("ID"));
        const res = await c.xread("COUNT", COUNT, "BLOCK", BLOCK_MS, "STREAMS", ...reading.map((r) => r.key), ...reading.map((r) => r.from));
        for (const [key, raw] of res ?? []) {
          const r = reading.find((x) => x.key === key);
          // Skip a key dropped meanwhile, or dropped and watched again (that watch reads from its own position).
          if (!r || watches.get(key) !== r.w || !raw.length) continue;
          const entries = raw.map(([id, fields]) => ({ id, line: fields[fields.indexOf("line") + 1] ?? "" }));
          r.w.lastId = entries.at(-1)!.id;
          for (const v of [...r.w.viewers]) {
            try {
              v({ from: r.from, entries });
            } catch (e) {
              console.error("log tail: a viewer failed:", e);
            }
          }
        }
      } catch (e) {
        // Redis away: positions are kept, so nothing is skipped once it is back.
        console.error(`log tail: reading failed, again in ${RETRY_MS} ms: ${(e as Error).message}`);
        await new Promise((r) => setTimeout(r, RETRY_MS));
      }
    }
  } finally {
    running = false;
  }
}

/** What the tail follows now (tests, diagnostics). */
export function logTailKeys(): string[] {
  return [...watches.keys()];
}

/** Closes the tail's connection (tests, shutdown); it is made again when needed. */
export async function closeLogTail() {
  const c = conn;
  conn = undefined;
  clientId = undefined;
  watches.clear();
  c?.disconnect(); // not QUIT: it would wait behind the blocked read
}
