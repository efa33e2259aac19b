// How a deployment page shows what happened: the failed step red (and the steps after it pending), skipped
// steps of a reused image, an error split into title, git's words and hints, build output's ANSI colours
// as styles on text (never markup).
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { AnsiLine, ansiParts } from "@/components/deploy/ansi-text";
import { stepStates } from "@/components/deploy/deployment-steps";
import { splitError } from "@/components/deploy/explained-error";
import { plannedSteps, type TimedStep } from "@/lib/deploy/states";
import type { DeploymentStatus } from "@/lib/generated/prisma/enums";

const timed = (...statuses: DeploymentStatus[]): TimedStep[] =>
  statuses.map((status, i) => ({ status, startedAt: new Date(1000 * i).toISOString(), ms: 1000, running: false }));
const GIT: DeploymentStatus[] = ["QUEUED", "CLONING", "BUILDING", "STARTING", "HEALTH_CHECK"];

describe("stepStates", () => {
  it("marks the step a deployment failed in as failed, not done, and leaves the later ones pending", () => {
    const s = stepStates(GIT, timed("QUEUED", "CLONING"), "FAILED");
    expect(Object.fromEntries(s)).toEqual({ QUEUED: "done", CLONING: "failed", BUILDING: "pending", STARTING: "pending", HEALTH_CHECK: "pending" });
  });

  it("marks a cancelled step, a running one, and a live deployment's steps", () => {
    expect(stepStates(GIT, timed("QUEUED", "CLONING", "BUILDING"), "CANCELLED").get("BUILDING")).toBe("cancelled");
    expect(stepStates(GIT, timed("QUEUED", "CLONING", "BUILDING"), null).get("BUILDING")).toBe("running");
    expect([...stepStates(GIT, timed(...GIT), "LIVE").values()]).toEqual(["done", "done", "done", "done", "done"]);
    expect(stepStates(GIT, timed("QUEUED"), "FAILED").get("QUEUED")).toBe("failed");
  });

  it("shows clone and build as skipped when a redeploy reused an image", () => {
    const s = stepStates(GIT, timed("QUEUED", "STARTING", "HEALTH_CHECK"), "LIVE");
    expect(Object.fromEntries(s)).toEqual({ QUEUED: "done", CLONING: "skipped", BUILDING: "skipped", STARTING: "done", HEALTH_CHECK: "done" });
    expect(plannedSteps(false)).toEqual(GIT);
  });
});

describe("splitError", () => {
  it("separates the title, the program's words and the hints", () => {
    expect(splitError("git clone failed: the git server refused the deploy key.\nroot@h: Permission denied (publickey).\nHint: add the key")).toEqual({
      title: "git clone failed: the git server refused the deploy key.",
      detail: "root@h: Permission denied (publickey).",
      hints: ["add the key"],
    });
    expect(splitError("The container stopped.")).toEqual({ title: "The container stopped.", detail: "", hints: [] });
  });
});

describe("ansiParts", () => {
  const html = (line: string) => renderToStaticMarkup(createElement(AnsiLine, { parts: ansiParts(line) }));

  it("turns colours and bold into styles", () => {
    expect(ansiParts("\x1b[1;31mERROR\x1b[0m: npm ERR! \x1b[32mok\x1b[39m")).toEqual([
      { text: "ERROR", style: { color: "rgb(187, 0, 0)", fontWeight: 600 } },
      { text: ": npm ERR! " },
      { text: "ok", style: { color: "rgb(0, 187, 0)" } },
    ]);
    expect(ansiParts("\x1b[38;5;82m256\x1b[0m \x1b[38;2;10;20;30mtrue\x1b[0m").map((p) => p.style?.color)).toEqual([
      "rgb(95, 255, 0)",
      undefined,
      "rgb(10, 20, 30)",
    ]);
  });

  it("renders markup a build prints as text, and drops escapes that are not colours", () => {
    const out = html(
      "\x1b[31m<img src=x onerror=alert(1)>\x1b[0m & <script>alert(2)</script>\x1b]8;;https://evil.example\x07link\x1b]8;;\x07\x1b[2K\x1b[1G done\x07",
    );
    expect(out).toBe('<span style="color:rgb(187, 0, 0)">&lt;img src=x onerror=alert(1)&gt;</span> &amp; &lt;script&gt;alert(2)&lt;/script&gt;link done');
    expect(out).not.toMatch(/\x1b|\x07/);
  });

  it("leaves plain lines plain", () => {
    expect(ansiParts("Step 1/3 : FROM busybox")).toEqual([{ text: "Step 1/3 : FROM busybox" }]);
    expect(ansiParts("")).toEqual([]);
  });

  it("is linear on a long hostile line", () => {
    const line = "\x1b[31m".repeat(20_000) + "x".repeat(100_000) + "\x1b]8;;".repeat(10_000);
    const t = Date.now();
    ansiParts(line);
    expect(Date.now() - t).toBeLessThan(2000);
  });
});
