// Batched reports on the real Redis (workers/control/report-stream.ts `flush`): entries `apply` staged are
// acknowledged only once the flush wrote them; a stream's next entry waits for its staged ones to be written; a
// flush that fails leaves the staged entries pending, and they are read and written again before anything after.
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

/** A consumer whose `apply` stages entries starting with "hb" and writes the others at once, into `written`. */
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
    apply: async (_k, _id, fields) => {
      const v = fields[fields.indexOf("report") + 1]!;
      if (!v.startsWith("hb")) return void written.push(v);
      queue.push(v);
      return "staged";
    },
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
});
