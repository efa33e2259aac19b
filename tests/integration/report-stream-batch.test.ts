// Batched reports on the real Redis (workers/control/report-stream.ts `flush`): entries `apply` staged are
// acknowledged only once the flush wrote them; a stream's next entry waits for its staged ones to be written; a
// flush that fails leaves the staged entries pending, and they are read and written again before anything after.
// Streams are applied concurrently: many streams' interleaved heartbeats and other reports, with slow applies
// and flushes overlapping, are each written in their stream's order, every one exactly once; a stream slow to
// apply goes on alone while the others are read.
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { env } from "@/lib/env";
import { createStreamConsumer } from "@/workers/control/report-stream";

const GROUP = "control";
const conns: Redis[] = [];
const keys: string[] = [];
const redis = () => {
  const r = new Redis(env.redisUrl, { maxRetriesPerRequest: null });
  conns.push(r);
  return r;
};

async function stream(...values: string[]) {
  const key = `${env.queuePrefix}:batch-test-${randomBytes(4).toString("hex")}`;
  keys.push(key);
  const w = redis();
  await w.xgroup("CREATE", key, GROUP, "0", "MKSTREAM");
  for (const v of values) await w.xadd(key, "*", "report", v);
  return key;
}
const pending = async (key: string) => ((await redis().xpending(key, GROUP)) as [number])[0];

/** A consumer that stages entries starting with "hb" and writes the others at once (`apply`), into `written`. */
function batching(streams: string[], failFlushes = 0) {
  const written: string[] = [];
  let queue: string[] = [];
  const flushes: string[][] = [];
  const c = createStreamConsumer({
    reader: redis(),
    writer: redis(),
    group: GROUP,
    consumer: "batch",
    keys: () => streams,
    stage: (_k, _id, fields) => {
      const v = fields[fields.indexOf("report") + 1]!;
      if (v.startsWith("hb")) queue.push(v);
      return v.startsWith("hb");
    },
    apply: async (_k, _id, fields) => void written.push(fields[fields.indexOf("report") + 1]!),
    flush: async () => {
      const batch = queue;
      queue = [];
      if (failFlushes-- > 0) throw new Error("the database is restarting");
      flushes.push(batch);
      written.push(...batch);
    },
    healthy: async () => true,
    reclaimAfterMs: 30_000,
    maxRetryDelayMs: 50,
    log: () => {},
  });
  return { c, written, flushes };
}

afterAll(async () => {
  if (keys.length) await conns[0]?.del(...keys);
  for (const c of conns) c.disconnect();
});

describe("batched reports", () => {
  it("writes the staged entries of many streams in one flush, and a stream's next report only after its staged ones", async () => {
    const a = await stream("hb-a1", "bye-a");
    const b = await stream("hb-b1");
    const c2 = await stream("hb-c1");
    const { c, written, flushes } = batching([a, b, c2]);
    await c.step(); // pending lists first (empty), then one read of the three streams
    while ((await pending(a)) + (await pending(b)) + (await pending(c2)) > 0 || written.length < 4) await c.step();
    expect(written.indexOf("hb-a1")).toBeLessThan(written.indexOf("bye-a"));
    expect(flushes.flat().sort()).toEqual(["hb-a1", "hb-b1", "hb-c1"]);
    expect(flushes.some((f) => f.length > 1)).toBe(true); // b's and c's heartbeats shared a flush
  });

  it("keeps staged entries pending when the flush fails, and writes them before what follows", async () => {
    const a = await stream("hb-a1", "bye-a");
    const b = await stream("hb-b1");
    const { c, written } = batching([a, b], 2);
    await c.step();
    expect(written).toEqual([]); // the flush before "bye-a" failed: nothing after a staged entry was applied
    expect(await pending(a)).toBe(2);
    for (let i = 0; i < 50 && ((await pending(a)) > 0 || (await pending(b)) > 0); i++) await c.step();
    expect(await pending(a)).toBe(0);
    expect(await pending(b)).toBe(0);
    expect(written.filter((v) => v.endsWith("a1") || v === "bye-a")).toEqual(["hb-a1", "bye-a"]);
    expect(written).toContain("hb-b1");
    expect(await c.settled(a)).toBe(true);
  });

  it("applies many streams at once, each one's reports written in its order, every one once", async () => {
    const pause = () => new Promise((r) => setTimeout(r, Math.floor(Math.random() * 4)));
    const kinds = ["hb", "hb", "ev", "hb", "bye", "hb", "ev", "ev", "hb", "hb"];
    const sent = new Map<string, string[]>();
    for (let s = 0; s < 24; s++) {
      const values = kinds.map((k, n) => `${k}-${s}-${n}`);
      sent.set(await stream(...values), values);
    }
    const streams = [...sent.keys()];
    const written: string[] = [];
    let queue: string[] = [];
    let applying = 0;
    let mostAtOnce = 0;
    let duringFlush = 0; // entries applied while a flush was writing
    let flushingNow = 0;
    const c = createStreamConsumer({
      reader: redis(),
      writer: redis(),
      group: GROUP,
      consumer: "many",
      keys: () => streams,
      stage: (_k, _id, fields) => {
        const v = fields[fields.indexOf("report") + 1]!;
        if (v.startsWith("hb")) queue.push(v);
        return v.startsWith("hb");
      },
      apply: async (_k, _id, fields) => {
        applying++;
        mostAtOnce = Math.max(mostAtOnce, applying);
        if (flushingNow) duringFlush++;
        await pause();
        applying--;
        written.push(fields[fields.indexOf("report") + 1]!);
      },
      flush: async () => {
        const batch = queue;
        queue = [];
        flushingNow++;
        await pause();
        await pause();
        flushingNow--;
        written.push(...batch); // "committed" only now
      },
      healthy: async () => true,
      reclaimAfterMs: 30_000,
      log: () => {},
    });
    const total = streams.length * kinds.length;
    for (let i = 0; i < 100 && written.length < total; i++) await c.step();
    expect(written.length).toBe(total);
    expect(new Set(written).size).toBe(total); // none twice
    for (const [key, values] of sent) {
      const s = values[0]!.split("-")[1];
      expect(written.filter((v) => v.split("-")[1] === s)).toEqual(values);
      expect(await pending(key)).toBe(0);
    }
    expect(mostAtOnce).toBeGreaterThan(1); // streams were applied concurrently
    expect(duringFlush).toBeGreaterThan(0); // and while flushes of others' staged entries were writing
  });

  it("goes on reading other streams while one is slow to apply, and keeps the slow one's order", async () => {
    const slow = await stream("slow-1", "slow-2");
    const quick = await stream("quick-1");
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const written: string[] = [];
    const c = createStreamConsumer({
      reader: redis(),
      writer: redis(),
      group: GROUP,
      consumer: "patient",
      keys: () => [slow, quick],
      apply: async (_k, _id, fields) => {
        const v = fields[fields.indexOf("report") + 1]!;
        if (v === "slow-1") await held; // a transaction waiting on a lock
        written.push(v);
      },
      healthy: async () => true,
      reclaimAfterMs: 30_000,
      log: () => {},
    });
    const w = redis();
    for (let i = 0; i < 20 && !written.includes("quick-1"); i++) await c.step();
    expect(written).toEqual(["quick-1"]); // the round went on without the slow stream
    await w.xadd(quick, "*", "report", "quick-2");
    await w.xadd(slow, "*", "report", "slow-3");
    for (let i = 0; i < 20 && !written.includes("quick-2"); i++) await c.step();
    expect(written).toEqual(["quick-1", "quick-2"]); // news of the others keeps coming through
    expect(await pending(slow)).toBe(2); // slow-1 being applied, slow-2 waiting behind it; slow-3 not read yet
    release();
    for (let i = 0; i < 20 && written.length < 5; i++) await c.step();
    expect(written.filter((v) => v.startsWith("slow"))).toEqual(["slow-1", "slow-2", "slow-3"]);
    expect((await pending(slow)) + (await pending(quick))).toBe(0);
    await c.close();
  });
});
