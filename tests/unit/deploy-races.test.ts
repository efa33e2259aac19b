// The pure parts of race-free deployments: which of several same-named networks every agent keeps, and
// which database errors a transaction is run again for.
import { describe, expect, it } from "vitest";
import { isRetryableConflict, retryOnConflict } from "@/lib/data/deployments/retry";
import { networkToKeep } from "@/workers/agent/docker/networks";

describe("networkToKeep", () => {
  const net = (id: string, created: string, inUse = false) => ({ id, created, inUse });

  it("keeps the oldest, comparing Docker's nanoseconds (not just milliseconds), whatever the order listed", () => {
    const nets = [net("c", "2026-12-06T05:00:00.000000300Z"), net("a", "2026-12-06T05:00:00.0000002Z"), net("b", "2026-12-06T05:00:00.0000001Z")];
    expect(networkToKeep(nets)!.id).toBe("b");
    expect(networkToKeep([...nets].reverse())!.id).toBe("b");
  });

  it("reads fractions of any length and time zone offsets", () => {
    expect(networkToKeep([net("x", "2026-12-06T05:00:00.5Z"), net("y", "2026-12-06T05:00:00.49Z")])!.id).toBe("y");
    expect(networkToKeep([net("x", "2026-12-06T06:00:01+01:00"), net("y", "2026-12-06T05:00:00.999999999Z")])!.id).toBe("y");
    expect(networkToKeep([net("x", "2026-12-06T05:00:01Z"), net("y", "2026-12-06T05:00:00.999999999Z")])!.id).toBe("y");
  });

  it("prefers one that containers use over an older empty one", () => {
    expect(networkToKeep([net("old", "2026-12-06T05:00:00Z"), net("used", "2026-12-06T05:00:09Z", true)])!.id).toBe("used");
  });

  it("breaks ties by id, and puts an unreadable time last, so every agent picks the same", () => {
    const same = "2026-12-06T05:00:00.123Z";
    expect(networkToKeep([net("b2", same), net("a1", same)])!.id).toBe("a1");
    expect(networkToKeep([net("weird", "yesterday"), net("z", same)])!.id).toBe("z");
    expect(networkToKeep([])).toBeUndefined();
  });
});

describe("isRetryableConflict", () => {
  const adapter = (originalCode: string, kind = "postgres") => ({ code: "P2010", meta: { driverAdapterError: { cause: { kind, originalCode } } } });

  it("retries write conflicts and deadlocks, from Prisma's queries and from raw ones", () => {
    expect(isRetryableConflict({ code: "P2034" })).toBe(true);
    expect(isRetryableConflict(adapter("40P01", "TransactionWriteConflict"))).toBe(true);
    expect(isRetryableConflict(adapter("40001"))).toBe(true);
  });

  it("does not retry anything else", () => {
    for (const e of [{ code: "P2002" }, adapter("23505", "UniqueConstraintViolation"), new Error("deadlock detected"), null, "P2034", undefined])
      expect(isRetryableConflict(e)).toBe(false);
  });

  it("runs again after a conflict, at most the given number of times, and passes other errors through at once", async () => {
    let calls = 0;
    expect(await retryOnConflict(async () => (++calls < 3 ? Promise.reject({ code: "P2034" }) : "done"), 5, 1)).toBe("done");
    expect(calls).toBe(3);
    calls = 0;
    await expect(retryOnConflict(async () => Promise.reject({ code: "P2034", n: ++calls }), 4, 1)).rejects.toEqual({ code: "P2034", n: 4 });
    calls = 0;
    await expect(retryOnConflict(async () => Promise.reject(new Error(`other ${++calls}`)), 4, 1)).rejects.toThrow("other 1");
  });
});
