// `npm start`'s supervisor with tiny real child processes: a crash is logged with its exit code or signal and
// its last stderr lines and the process is started again; stopping ends it for good, SIGKILL for one that
// ignores SIGTERM.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { supervise } from "@/scripts/supervise.mjs";
import { waitFor } from "./support/wait";

const dir = mkdtempSync(path.join(os.tmpdir(), "berth-supervisor-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FAST = { initialMs: 50, maxMs: 200, resetAfterMs: 60_000 };

/** A node child that counts its starts in `file`, crashes (exit 7) on the first `crashes` of them, then stays up. */
function crashingChild(file: string, crashes: number, extra = "") {
  const script = `
    const fs = require("node:fs");
    const n = (fs.existsSync(${JSON.stringify(file)}) ? Number(fs.readFileSync(${JSON.stringify(file)}, "utf8")) : 0) + 1;
    fs.writeFileSync(${JSON.stringify(file)}, String(n));
    ${extra}
    console.log("start " + n);
    if (n <= ${crashes}) { console.error("about to fail"); console.error("boom " + n); process.exit(7); }
    setInterval(() => {}, 1000);
  `;
  return { command: process.execPath, args: ["-e", script] };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

function sink() {
  const lines: string[] = [];
  return { lines, stream: { write: (s: string) => lines.push(s) } as unknown as NodeJS.WritableStream };
}

describe("supervise", () => {
  it("restarts a crashing process with backoff and says why it ended", async () => {
    const file = path.join(dir, "crashes");
    const logs: string[] = [];
    const out = sink();
    const err = sink();
    const s = supervise({ name: "tiny", ...crashingChild(file, 2), policy: FAST, log: (l) => logs.push(l), out: out.stream, err: err.stream });
    try {
      // Up for good on its third start (it says so once it has counted itself).
      expect(
        await waitFor(
          async () => out.lines.includes("[tiny] start 3\n"),
          (up) => up,
          15_000,
          20,
        ),
      ).toBe(true);
      expect(s.starts()).toBe(3);
      expect(readFileSync(file, "utf8")).toBe("3");
      expect(logs).toHaveLength(2);
      expect(logs[0]).toMatch(
        /^berth: tiny exited with code 7 after [\d.]+ m?s, restarting in 50 ms; the last lines of its stderr:\n {2}\| about to fail\n {2}\| boom 1$/,
      );
      expect(logs[1]).toMatch(/restarting in 100 ms;[\s\S]*\| boom 2$/);
      // Output is passed through, each line under the process's name.
      expect(out.lines).toEqual(expect.arrayContaining(["[tiny] start 1\n", "[tiny] start 2\n"]));
      expect(err.lines).toContain("[tiny] boom 2\n");

      // Killed from outside: the signal is named, and it comes back again.
      process.kill(s.pid()!, "SIGKILL");
      expect(
        await waitFor(
          async () => s.starts(),
          (n) => n === 4,
          15_000,
          20,
        ),
      ).toBe(4);
      expect(logs[2]).toMatch(/^berth: tiny was killed by SIGKILL after [\d.]+ m?s, restarting in 200 ms; it wrote nothing to stderr$/);
      expect(
        await waitFor(
          async () => out.lines.includes("[tiny] start 4\n"),
          (up) => up,
          15_000,
          20,
        ),
      ).toBe(true);
      expect(alive(s.pid()!)).toBe(true);
    } finally {
      await s.stop();
    }
    const last = Number(readFileSync(file, "utf8"));
    expect(last).toBe(4);
    // Stopped for good: not started again.
    await new Promise((r) => setTimeout(r, FAST.maxMs * 3));
    expect(s.starts()).toBe(4);
    expect(Number(readFileSync(file, "utf8"))).toBe(4);
  });

  it("stops a process that ignores SIGTERM with SIGKILL, and cancels a pending restart", async () => {
    const file = path.join(dir, "stubborn");
    const s = supervise({
      name: "stubborn",
      ...crashingChild(file, 0, `process.on("SIGTERM", () => console.error("ignoring SIGTERM"));`),
      policy: FAST,
      log: () => {},
      out: sink().stream,
      err: sink().stream,
      killAfterMs: 300,
    });
    const pid = await waitFor(
      async () => s.pid(),
      (p) => p !== null && existsSync(file),
      15_000,
      20,
    );
    expect(pid).not.toBeNull();
    await new Promise((r) => setTimeout(r, 200)); // its SIGTERM handler in place
    await s.stop();
    expect(alive(pid!)).toBe(false);

    // A restart waiting out its backoff is cancelled by stop().
    const again = path.join(dir, "pending");
    const slow = supervise({
      name: "pending",
      ...crashingChild(again, 5),
      policy: { initialMs: 2_000, maxMs: 2_000, resetAfterMs: 60_000 },
      log: () => {},
      out: sink().stream,
      err: sink().stream,
    });
    expect(
      await waitFor(
        async () => slow.pid() === null && existsSync(again),
        (crashed) => crashed,
        15_000,
        20,
      ),
    ).toBe(true);
    await slow.stop();
    await new Promise((r) => setTimeout(r, 2_500));
    expect(slow.starts()).toBe(1);
  });

  it("reports a command that cannot be started and keeps trying", async () => {
    const logs: string[] = [];
    const s = supervise({
      name: "ghost",
      command: path.join(dir, "no-such-program"),
      args: [],
      policy: FAST,
      log: (l) => logs.push(l),
      out: sink().stream,
      err: sink().stream,
    });
    try {
      expect(
        await waitFor(
          async () => s.starts(),
          (n) => n >= 2,
          15_000,
          20,
        ),
      ).toBeGreaterThanOrEqual(2);
      expect(logs[0]).toMatch(
        /^berth: ghost could not be started after [\d.]+ m?s, restarting in 50 ms; the last lines of its stderr:\n {2}\| spawn .*no-such-program ENOENT$/,
      );
    } finally {
      await s.stop();
    }
  });
});
