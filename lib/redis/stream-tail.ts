// One blocked XREAD per process and purpose over many Redis streams: a connection of its own reads the streams
// someone in this process follows now and hands each new entry to that stream's followers. A hundred followers
// of ten streams cost one blocked read, not a hundred connections or polls. Used for deployment logs
// (lib/live/log-tail.ts) and for the answers of host jobs (lib/hosts/call-host.ts).
//
// The key set changes as followers come and go. A new key must be read at once (its follower is waiting), so the
// blocked read is woken with CLIENT UNBLOCK from the admin connection (the control plane's own login may; host
// logins may not run CLIENT). The read also blocks at most BLOCK_MS: an UNBLOCK that reached Redis just before the
// XREAD it meant to wake costs that long, never more. A key nobody follows any more is simply left out of the next
// read; its entries read meanwhile go to nobody.
//
// Each batch says which entry id the read started after (`from`): a follower whose cursor is before it missed
// entries another follower's read already consumed (it joined while they arrived) and reads them itself.
import { Redis } from "ioredis";
import { env } from "@/lib/env";
import { adminRedis } from "@/lib/redis/admin";

export type StreamEntry = { id: string; fields: string[] };
export type StreamBatch = { from: string; entries: StreamEntry[] };
type Follower = (batch: StreamBatch) => void;
type Watch = { lastId: string; followers: Set<Follower> };

const BLOCK_MS = 2_000;
/** Entries per key and read; a longer burst is read on the next round, right away. */
const COUNT = 500;
const RETRY_MS = 1_000;

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

/** The value after `name` in a stream entry's flat field list, or undefined. */
export function field(fields: string[], name: string): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}

export type StreamTail = ReturnType<typeof createStreamTail>;

/** `name` labels the connection (CLIENT LIST) and the log lines. */
export function createStreamTail(name: string) {
  const watches = new Map<string, Watch>();
  let conn: Redis | undefined;
  let clientId: number | undefined;
  let running = false;

  function connection(): Redis {
    if (conn) return conn;
    conn = new Redis(env.redisUrl, { maxRetriesPerRequest: null, connectionName: `berth-${name}-${process.pid}` });
    conn.on("error", (e) => console.error(`${name}: redis:`, e.message));
    conn.on("close", () => (clientId = undefined)); // a new connection has a new id
    return conn;
  }

  function wake() {
    if (clientId === undefined) return; // not blocked yet: the next read includes the new key
    adminRedis()
      .client("UNBLOCK", clientId)
      .catch((e) => console.error(`${name}: CLIENT UNBLOCK failed (the new key waits up to ${BLOCK_MS} ms): ${e.message}`));
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
            // Skip a key dropped meanwhile, or dropped and followed again (that watch reads from its own position).
            if (!r || watches.get(key) !== r.w || !raw.length) continue;
            const entries = raw.map(([id, fields]) => ({ id, fields }));
            r.w.lastId = entries.at(-1)!.id;
            for (const f of [...r.w.followers]) {
              try {
                f({ from: r.from, entries });
              } catch (e) {
                console.error(`${name}: a follower failed:`, e);
              }
            }
          }
        } catch (e) {
          // Redis away: positions are kept, so nothing is skipped once it is back.
          console.error(`${name}: reading failed, again in ${RETRY_MS} ms: ${(e as Error).message}`);
          await new Promise((r) => setTimeout(r, RETRY_MS));
        }
      }
    } finally {
      running = false;
    }
  }

  return {
    /**
     * Hands `follower` the stream's entries after `after` (an entry id, or "-") as they arrive, until the returned
     * `stop` is called. `behind` is true when the tail has already read past `after`: the follower should read the
     * stream from its cursor once (entries up to the tail's position will not come as a batch).
     */
    follow(key: string, after: string, follower: Follower): { stop: () => void; behind: boolean } {
      let w = watches.get(key);
      let behind = false;
      if (w) behind = compareEntryIds(w.lastId, after) > 0;
      else {
        w = { lastId: after === "-" ? "0-0" : after, followers: new Set() };
        watches.set(key, w);
        if (running) wake();
        else void run();
      }
      w.followers.add(follower);
      const mine = w;
      const stop = () => {
        mine.followers.delete(follower);
        if (mine.followers.size === 0 && watches.get(key) === mine) watches.delete(key);
      };
      return { stop, behind };
    },

    /** The keys followed now (tests, diagnostics). */
    keys: (): string[] => [...watches.keys()],

    /** Closes the tail's connection (tests, shutdown); it is made again when needed. */
    close() {
      const c = conn;
      conn = undefined;
      clientId = undefined;
      watches.clear();
      c?.disconnect(); // not QUIT: it would wait behind the blocked read
    },
  };
}
