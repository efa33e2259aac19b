import { describe, expect, it } from "vitest";
import { canMove, isTerminal, plannedSteps, timedSteps } from "@/lib/deploy/states";

describe("the deployment state machine", () => {
  it("moves forward only, ends once, and goes live only from the health check", () => {
    expect(canMove("QUEUED", "CLONING")).toBe(true);
    expect(canMove("QUEUED", "STARTING")).toBe(true); // rollbacks skip clone and build
    expect(canMove("BUILDING", "CLONING")).toBe(false);
    expect(canMove("BUILDING", "BUILDING")).toBe(false);
    expect(canMove("BUILDING", "LIVE")).toBe(false);
    expect(canMove("HEALTH_CHECK", "LIVE")).toBe(true);
    for (const from of ["QUEUED", "CLONING", "BUILDING", "STARTING", "HEALTH_CHECK"] as const) {
      expect(canMove(from, "FAILED")).toBe(true);
      expect(canMove(from, "CANCELLED")).toBe(true);
    }
    for (const end of ["LIVE", "FAILED", "CANCELLED"] as const) {
      expect(isTerminal(end)).toBe(true);
      for (const to of ["QUEUED", "CLONING", "LIVE", "FAILED", "CANCELLED"] as const) expect(canMove(end, to)).toBe(false);
    }
  });

  it("times each step until the next began, and a running step until now", () => {
    const steps = [
      { status: "QUEUED" as const, at: "2026-01-01T00:00:00.000Z" },
      { status: "CLONING" as const, at: "2026-01-01T00:00:01.500Z" },
      { status: "BUILDING" as const, at: "2026-01-01T00:00:02.000Z" },
    ];
    const now = new Date("2026-01-01T00:00:05.000Z");
    expect(timedSteps(steps, null, now)).toEqual([
      { status: "QUEUED", startedAt: steps[0]!.at, ms: 1500, running: false },
      { status: "CLONING", startedAt: steps[1]!.at, ms: 500, running: false },
      { status: "BUILDING", startedAt: steps[2]!.at, ms: 3000, running: true },
    ]);
    const ended = [...steps, { status: "FAILED" as const, at: "2026-01-01T00:00:04.000Z" }];
    expect(timedSteps(ended, new Date("2026-01-01T00:00:04.000Z"), now).at(-1)).toEqual({
      status: "BUILDING",
      startedAt: steps[2]!.at,
      ms: 2000,
      running: false,
    });
  });

  it("plans fewer steps when an image is reused", () => {
    expect(plannedSteps(true)).toEqual(["QUEUED", "STARTING", "HEALTH_CHECK"]);
    expect(plannedSteps(false)).toHaveLength(5);
    // A release from another host comes from Berth's registry, whatever the service's kind.
    expect(plannedSteps(true, "git", true)).toEqual(["QUEUED", "PULLING", "STARTING", "HEALTH_CHECK"]);
    expect(plannedSteps(true, "image", true)).toEqual(["QUEUED", "PULLING", "STARTING", "HEALTH_CHECK"]);
  });
});
