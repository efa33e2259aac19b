// Crash-loop episodes as pure functions: a restart is a later start of the same container; an episode opens when
// a rule's threshold is reached within its window (one alert), restarts within it do not alert again, and it
// ends once the container ran a whole window without a restart (the next loop alerts again).
import { describe, expect, it } from "vitest";
import { type CrashRule, crashDetail, crashStep, type LoopState, restartOf } from "@/lib/data/crash-loops";
import { variablesChangedDetail } from "@/lib/data/variable-alerts";

const rule = (id: string, crashRestarts: number, crashWindowMinutes: number): CrashRule => ({
  id,
  projectId: null,
  environmentId: null,
  crashRestarts,
  crashWindowMinutes,
});
const T0 = Date.parse("2026-01-01T00:00:00Z");
const at = (seconds: number) => new Date(T0 + seconds * 1000);

/** Applies restarts at the given seconds; returns the final state and which rules alerted at each restart. */
function run(seconds: number[], rules: CrashRule[], start: LoopState = { restarts: [], openedAt: null }) {
  let state = start;
  const alerts: { at: number; rules: string[]; opened: boolean; openedAt: number | null }[] = [];
  for (const s of seconds) {
    const step = crashStep(state, at(s), rules);
    if (!step) continue;
    state = step.state;
    if (step.alert.length) alerts.push({ at: s, rules: step.alert.map((r) => r.id), opened: step.opened, openedAt: state.openedAt?.getTime() ?? null });
  }
  return { state, alerts };
}

describe("restartOf", () => {
  it("is the new start time only when the container started later than its row says", () => {
    const row = { startedAt: at(10) };
    expect(restartOf(row, { startedAt: at(12).toISOString() })).toEqual(at(12));
    expect(restartOf(row, { startedAt: at(10).toISOString() })).toBeNull();
    expect(restartOf(row, { startedAt: at(9).toISOString() })).toBeNull();
    expect(restartOf(row, { startedAt: null })).toBeNull();
    expect(restartOf({ startedAt: null }, { startedAt: at(12).toISOString() })).toBeNull(); // its first start
    expect(restartOf(undefined, { startedAt: at(12).toISOString() })).toBeNull(); // a new container
  });
});

describe("crashStep", () => {
  it("alerts once when the threshold is reached, not for every restart after it", () => {
    const { state, alerts } = run([0, 10, 20, 30, 40, 50, 60, 70], [rule("r", 3, 5)]);
    expect(alerts).toEqual([{ at: 20, rules: ["r"], opened: true, openedAt: at(20).getTime() }]);
    expect(state.openedAt).toEqual(at(20));
    expect(state.restarts).toHaveLength(8);
  });

  it("does not alert for restarts spread wider than the window", () => {
    const { alerts, state } = run([0, 70, 140, 210], [rule("r", 3, 2)]);
    expect(alerts).toEqual([]);
    expect(state.restarts).toEqual([at(140), at(210)]); // kept only for the window
  });

  it("ends the episode after a whole window without a restart: the next loop alerts again, with a new key", () => {
    const rules = [rule("r", 3, 1)];
    const first = run([0, 1, 2, 3], rules);
    expect(first.alerts).toHaveLength(1);
    // 50 s quiet is less than the window: same episode, no alert.
    const same = run([53, 54, 55], rules, first.state);
    expect(same.alerts).toEqual([]);
    expect(same.state.openedAt).toEqual(at(2));
    // 60 s quiet: the episode is over; the restart that ends it starts the count again.
    const next = run([115, 116, 117], rules, same.state);
    expect(next.alerts).toEqual([{ at: 117, rules: ["r"], opened: true, openedAt: at(117).getTime() }]);
  });

  it("closes a quiet episode without alerting when the new restarts stay under the threshold", () => {
    const rules = [rule("r", 3, 1)];
    const first = run([0, 1, 2], rules);
    const later = run([200], rules, first.state);
    expect(later.state).toEqual({ restarts: [at(200)], openedAt: null });
    expect(later.alerts).toEqual([]);
  });

  it("lets each rule alert once when it reaches its own threshold within the episode", () => {
    const rules = [rule("quick", 2, 1), rule("many", 5, 10)];
    const { alerts } = run([0, 5, 10, 15, 20, 25, 30], rules);
    expect(alerts).toEqual([
      { at: 5, rules: ["quick"], opened: true, openedAt: at(5).getTime() },
      { at: 20, rules: ["many"], opened: false, openedAt: at(5).getTime() },
    ]);
  });

  it("ignores a restart it has seen already or one older than the last", () => {
    const once = crashStep({ restarts: [at(5)], openedAt: null }, at(5), [rule("r", 2, 1)]);
    expect(once).toBeNull();
    expect(crashStep({ restarts: [at(5)], openedAt: null }, at(4), [rule("r", 2, 1)])).toBeNull();
  });

  it("says how many restarts in how many minutes", () => {
    const restarts = [at(0), at(30), at(100), at(110)];
    expect(crashDetail(restarts, at(110), [rule("a", 2, 1), rule("b", 2, 5)])).toBe("Restarted 2 times in 1 min.");
    expect(crashDetail(restarts, at(110), [rule("b", 2, 5)])).toBe("Restarted 4 times in 5 min.");
  });
});

describe("variablesChangedDetail", () => {
  it("names who and which keys, a long list cut short", () => {
    expect(variablesChangedDetail("a@x.test", "delete", ["API_KEY"], "Shop/production")).toBe("a@x.test deleted API_KEY in Shop/production.");
    const keys = Array.from({ length: 23 }, (_, i) => `K${i}`);
    expect(variablesChangedDetail("a@x.test", "import", keys, "Shop/production")).toBe(
      `a@x.test imported ${keys.slice(0, 20).join(", ")} and 3 more into Shop/production.`,
    );
  });
});
