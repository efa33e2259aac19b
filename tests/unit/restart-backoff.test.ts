// The restart policy of `npm start`: 1 s, doubling to 30 s while a process keeps crashing, 1 s again after
// it stayed up a minute.
import { describe, expect, it } from "vitest";
import { nextRestartDelay, RESTART_BACKOFF } from "@/scripts/restart-backoff.mjs";

/** The delays before each restart of a process that crashes `n` times, each run lasting `uptimeMs`. */
function delays(n: number, uptimeMs: number) {
  const out: number[] = [];
  let d: number | null = null;
  for (let i = 0; i < n; i++) out.push((d = nextRestartDelay(d, uptimeMs)));
  return out;
}

describe("nextRestartDelay", () => {
  it("starts at 1 s and doubles to at most 30 s while crashes come quickly", () => {
    expect(delays(8, 100)).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
  });

  it("goes back to 1 s once a run lasted a minute", () => {
    expect(nextRestartDelay(30_000, 60_000)).toBe(1_000);
    expect(nextRestartDelay(30_000, 59_999)).toBe(30_000);
    expect(nextRestartDelay(8_000, 10 * 60_000)).toBe(1_000);
  });

  it("follows the policy it is given", () => {
    const policy = { initialMs: 50, maxMs: 300, resetAfterMs: 1_000 };
    let d: number | null = null;
    const seen = [1, 2, 3, 4, 5].map(() => (d = nextRestartDelay(d, 10, policy)));
    expect(seen).toEqual([50, 100, 200, 300, 300]);
    expect(nextRestartDelay(300, 1_000, policy)).toBe(50);
  });

  it("never waits less than the initial delay, whatever it is handed", () => {
    expect(nextRestartDelay(0, 0)).toBe(RESTART_BACKOFF.initialMs * 2);
    expect(nextRestartDelay(null, 0)).toBe(RESTART_BACKOFF.initialMs);
  });
});
