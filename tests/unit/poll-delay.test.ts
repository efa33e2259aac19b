import { describe, expect, it } from "vitest";
import { nextPollIn, POLL_MS } from "@/lib/poll-delay";

describe("nextPollIn", () => {
  it("waits 2 s on average, each wait between 1.6 and 2.4 s", () => {
    expect(nextPollIn(() => 0)).toBe(1600);
    expect(nextPollIn(() => 0.5)).toBe(POLL_MS);
    expect(nextPollIn(() => 0.999999)).toBeLessThan(2400);
  });

  it("spreads the waits of pages that asked at the same moment", () => {
    const waits = new Set(Array.from({ length: 20 }, () => Math.round(nextPollIn())));
    expect(waits.size).toBeGreaterThan(10);
    for (const w of waits) expect(w >= 1600 && w <= 2400).toBe(true);
  });
});
