import { describe, expect, it } from "vitest";
import { backoffMs, signInVerdict, THROTTLE, type FailureCounts } from "@/lib/auth/throttle";

const MIN = 60_000;
const now = new Date("2026-01-01T12:00:00Z");
const ago = (ms: number) => new Date(now.getTime() - ms);
const none = { count: 0, last: null };
const counts = (c: Partial<FailureCounts>): FailureCounts => ({ pair: none, address: none, account: { count: 0 }, ...c });

describe("backoff", () => {
  it("is free for the first failures, then 1, 2, 4 … minutes, capped at an hour", () => {
    const free = THROTTLE.pair.free;
    expect(free).toBe(5);
    expect([0, 1, 4].map((n) => backoffMs(n, free))).toEqual([0, 0, 0]);
    expect([5, 6, 7, 8, 9, 10, 11].map((n) => backoffMs(n, free) / MIN)).toEqual([1, 2, 4, 8, 16, 32, 60]);
    expect(backoffMs(1000, free)).toBe(60 * MIN);
    expect(backoffMs(Number.MAX_SAFE_INTEGER, free)).toBe(60 * MIN);
  });

  it("counts the wait from the latest failure", () => {
    expect(signInVerdict(counts({ pair: { count: 5, last: ago(30_000) } }), now)).toEqual({ allowed: false, reason: "pair", retryAfterMs: 30_000 });
    expect(signInVerdict(counts({ pair: { count: 5, last: ago(MIN) } }), now)).toEqual({ allowed: true });
    expect(signInVerdict(counts({ pair: { count: 7, last: ago(MIN) } }), now)).toEqual({ allowed: false, reason: "pair", retryAfterMs: 3 * MIN });
    expect(signInVerdict(counts({ pair: { count: 4, last: ago(0) } }), now)).toEqual({ allowed: true });
  });

  it("throttles an address over all accounts after many failures", () => {
    expect(signInVerdict(counts({ address: { count: 29, last: ago(0) } }), now)).toEqual({ allowed: true });
    expect(signInVerdict(counts({ address: { count: 30, last: ago(0) } }), now)).toEqual({ allowed: false, reason: "address", retryAfterMs: MIN });
    // the longer of two waits is the one reported
    expect(signInVerdict(counts({ pair: { count: 6, last: ago(0) }, address: { count: 30, last: ago(0) } }), now)).toMatchObject({
      reason: "pair",
      retryAfterMs: 2 * MIN,
    });
  });

  it("locks an account at the cap across all addresses, whatever the pair and address say", () => {
    expect(THROTTLE.account.cap).toBeGreaterThan(THROTTLE.pair.free * 20);
    expect(signInVerdict(counts({ account: { count: THROTTLE.account.cap - 1 } }), now)).toEqual({ allowed: true });
    expect(signInVerdict(counts({ account: { count: THROTTLE.account.cap } }), now)).toMatchObject({ allowed: false, reason: "account-locked" });
  });
});
