// Host reports are never lost and never applied out of order (workers/control/report-stream.ts), on the real
// Redis: an entry is acknowledged only once applied; one that fails waits, with those after it, and is
// applied again; entries a crashed control worker was given are taken over by another; a report that cannot
// be applied while the database answers is dropped after a few tries, but never during an outage.
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { env } from "@/lib/env";
import { createStreamConsumer, type StreamConsumerOptions } from "@/workers/control/report-stream";
import { waitFor } from "./support/wait";

const GROUP = "control";
const conns: Redis[] = [];
const keys: string[] = [];

function redis() {
  const r = new Redis(env.redisUrl, { maxRetriesPerRequest: null });
  conns.push(r);
  return r;
}

async function stream(n: number) {
  const key = `${env.queuePrefix}:reports-test-${randomBytes(4).toString("hex")}`;
  keys.push(key);
  const w = redis();
  await w.xgroup("CREATE", key, GROUP, "0", "MKSTREAM");
  for (let i = 1; i <= n; i++) await w.xadd(key, "*", "report", String(i));
  return key;
}

function consumer(key: string, name: string, apply: StreamConsumerOptions["apply"], over: Partial<StreamConsumerOptions> = {}) {
  return createStreamConsumer({
    reader: redis(),
    writer: redis(),
    group: GROUP,
    consumer: name,
    keys: () => [key],
    apply,
    healthy: async () => true,
    reclaimAfterMs: 30_000,
    maxRetryDelayMs: 50,
    log: () => {},
    ...over,
  });
}

async function run(c: ReturnType<typeof createStreamConsumer>, until: () => boolean | Promise<boolean>, ms = 15_000) {
  const end = Date.now() + ms;
  while (!(await until()) && Date.now() < end) await c.step();
}

const pending = async (key: string) => ((await redis().xpending(key, GROUP)) as [number])[0];

/** A control worker ("dead") that is given the stream's `n` entries and never applies them (its apply never returns). */
async function diesHolding(key: string, n: number) {
  void consumer(key, "dead", () => new Promise(() => {})).step();
  await waitFor(
    () => pending(key),
    (p) => p === n,
    5_000,
  );
}
const value = (fields: string[]) => fields[fields.indexOf("report") + 1]!;

afterAll(async () => {
  if (keys.length) await conns[0]?.del(...keys);
  for (const c of conns) c.disconnect();
});

describe("the host report stream", () => {
  it("acknowledges a report only once applied, and applies the ones after a failure in order, each once", async () => {
    const key = await stream(5);
    const applied: string[] = [];
    let failures = 0;
    const c = consumer(key, "a", async (_k, _id, fields) => {
      if (value(fields) === "2" && failures < 3) {
        failures++;
        throw new Error("the database is restarting");
      }
      applied.push(value(fields));
    });
    await c.step();
    expect(applied).toEqual(["1"]); // 2 failed: 3, 4 and 5 wait behind it
    expect(await pending(key)).toBe(4);
    await run(c, () => applied.length === 5);
    expect(applied).toEqual(["1", "2", "3", "4", "5"]);
    expect(failures).toBe(3);
    expect(await pending(key)).toBe(0);
    expect(await c.settled(key)).toBe(true);
  });

  it("takes over the reports a crashed control worker was given but never acknowledged", async () => {
    const key = await stream(3);
    await diesHolding(key, 3); // the first worker reads them and dies before applying any
    expect(await c2settled()).toBe(false); // so leases on this host wait
    const applied: string[] = [];
    const next = consumer(key, "next", async (_k, _id, fields) => void applied.push(value(fields)), { reclaimAfterMs: 300 });
    await run(next, async () => applied.length === 3 && (await pending(key)) === 0);
    expect(applied.sort()).toEqual(["1", "2", "3"]);
    expect(await pending(key)).toBe(0);
    expect(await next.settled(key)).toBe(true);

    async function c2settled() {
      return consumer(key, "probe", async () => {}).settled(key);
    }
  });

  it("drops a report that keeps failing while the database answers, and keeps one that fails during an outage", async () => {
    const key = await stream(2);
    const applied: string[] = [];
    let healthy = false;
    let tries = 0;
    const c = consumer(
      key,
      "a",
      async (_k, _id, fields) => {
        if (value(fields) === "1") {
          tries++;
          throw new Error("impossible report");
        }
        applied.push(value(fields));
      },
      { healthy: async () => healthy },
    );
    await run(c, () => tries >= 15, 30_000);
    expect(applied).toEqual([]); // the database "is down": the first report is kept and tried again
    expect(await pending(key)).toBe(2);
    healthy = true;
    await run(c, () => applied.length === 1, 30_000);
    expect(applied).toEqual(["2"]);
    expect(await pending(key)).toBe(0);
  });

  it("trims what it applied away, and never an entry still pending with another consumer", async () => {
    const key = await stream(3);
    const values = async () => ((await redis().xrange(key, "-", "+")) as [string, string[]][]).map(([, f]) => value(f));
    // A worker that dies holding 1, 2 and 3; 4 and 5 come after and go to a live one, which trims.
    await diesHolding(key, 3);
    for (const v of ["4", "5"]) await redis().xadd(key, "*", "report", v);
    const applied: string[] = [];
    const live = consumer(key, "live", async (_k, _id, fields) => void applied.push(value(fields)), { trimEveryMs: 0 });
    await run(live, () => applied.length === 2);
    await live.step(); // a round after: the trim
    expect(applied).toEqual(["4", "5"]);
    expect(await values()).toEqual(["1", "2", "3", "4", "5"]); // 1-3 are pending, the oldest is 1: nothing goes

    // Once it has taken 1-3 over and applied them, everything up to the last it acknowledged goes.
    const next = consumer(key, "next", async (_k, _id, fields) => void applied.push(value(fields)), { trimEveryMs: 0, reclaimAfterMs: 100 });
    await run(next, async () => applied.length === 5 && (await pending(key)) === 0);
    await redis().xadd(key, "*", "report", "6");
    await run(next, () => applied.length === 6);
    await next.step();
    expect(applied.slice(2).sort()).toEqual(["1", "2", "3", "6"]);
    expect(await values()).toEqual(["6"]); // the last acknowledged stays: XTRIM MINID keeps it
    expect(await next.settled(key)).toBe(true);
  });
});
