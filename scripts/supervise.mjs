// Keeps one child process running for `npm start`: its output is prefixed with its name; when it exits on its
// own it is started again after a backoff (./restart-backoff.mjs), with a line saying why it ended (exit code
// or signal, and the last lines it wrote to stderr), so one crash does not take the other processes down.
import { spawn } from "node:child_process";
import { nextRestartDelay, RESTART_BACKOFF } from "./restart-backoff.mjs";

const STDERR_LINES = 10;

/**
 * @param {{
 *   name: string,
 *   command: string,
 *   args: string[],
 *   cwd?: string,
 *   env?: NodeJS.ProcessEnv,
 *   policy?: import("./restart-backoff.mjs").BackoffPolicy,
 *   out?: NodeJS.WritableStream,
 *   err?: NodeJS.WritableStream,
 *   log?: (line: string) => void,
 *   killAfterMs?: number,
 * }} opts
 */
export function supervise({
  name,
  command,
  args,
  cwd,
  env,
  policy = RESTART_BACKOFF,
  out = process.stdout,
  err = process.stderr,
  log = (l) => console.error(l),
  killAfterMs = 5_000,
}) {
  /** @type {import("node:child_process").ChildProcess | null} */
  let child = null;
  /** @type {NodeJS.Timeout | null} */
  let timer = null;
  /** @type {number | null} */
  let delay = null;
  let starts = 0;
  let stopping = false;

  function start() {
    timer = null;
    starts++;
    const startedAt = Date.now();
    /** @type {string[]} */
    const lastErr = [];
    // Its own process group, so a stop reaches what it started too (a shell's or tsx's child), and a Ctrl-C
    // reaches only the supervisor, which stops everything in order.
    const c = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    child = c;
    prefixLines(c.stdout, (line) => out.write(`[${name}] ${line}\n`));
    prefixLines(c.stderr, (line) => {
      err.write(`[${name}] ${line}\n`);
      lastErr.push(line);
      if (lastErr.length > STDERR_LINES) lastErr.shift();
    });
    let ended = false;
    /** @param {number | null} code @param {NodeJS.Signals | null} signal */
    const end = (code, signal) => {
      if (ended) return;
      ended = true;
      if (child === c) child = null;
      if (stopping) return;
      const uptime = Date.now() - startedAt;
      delay = nextRestartDelay(delay, uptime, policy);
      const how = signal ? `was killed by ${signal}` : code === null ? "could not be started" : `exited with code ${code}`;
      const tail = lastErr.length ? `; the last lines of its stderr:\n${lastErr.map((l) => `  | ${l}`).join("\n")}` : "; it wrote nothing to stderr";
      log(`berth: ${name} ${how} after ${seconds(uptime)}, restarting in ${seconds(delay)}${tail}`);
      timer = setTimeout(start, delay);
    };
    // Its last stderr lines arrive with "close"; a grandchild still holding the pipes must not stop the restart.
    c.on("exit", (code, signal) => {
      const wait = setTimeout(() => end(code, signal), 1_000);
      c.once("close", () => {
        clearTimeout(wait);
        end(code, signal);
      });
    });
    // A command that cannot be started at all (a missing binary) is reported like a crash.
    c.on("error", (e) => {
      lastErr.push(e.message);
      if (c.pid === undefined) end(null, null);
    });
  }

  start();

  return {
    name,
    /** How many times it was started (1 until its first restart). */
    starts: () => starts,
    pid: () => child?.pid ?? null,
    /** Stops it for good: no more restarts; SIGTERM, then SIGKILL after `killAfterMs`. */
    stop() {
      stopping = true;
      if (timer) clearTimeout(timer);
      timer = null;
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return Promise.resolve();
      return new Promise((resolve) => {
        const kill = setTimeout(() => signalGroup(c, "SIGKILL"), killAfterMs);
        c.once("exit", () => {
          clearTimeout(kill);
          resolve(undefined);
        });
        signalGroup(c, "SIGTERM");
      });
    },
    /** Stops it at once (a second Ctrl-C). */
    kill() {
      stopping = true;
      if (timer) clearTimeout(timer);
      if (child) signalGroup(child, "SIGKILL");
    },
  };
}

/**
 * @param {import("node:child_process").ChildProcess} c
 * @param {NodeJS.Signals} signal
 */
function signalGroup(c, signal) {
  try {
    if (c.pid) process.kill(-c.pid, signal);
  } catch {
    c.kill(signal); // the group is gone already, or was never made
  }
}

/** @param {number} ms */
const seconds = (ms) => (ms < 1_000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`);

/**
 * Calls `each` once per complete line (a partial line waits for the rest of it).
 * @param {import("node:stream").Readable | null} stream
 * @param {(line: string) => void} each
 */
function prefixLines(stream, each) {
  if (!stream) return;
  let rest = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk) => {
    const lines = (rest + chunk).split("\n");
    rest = lines.pop() ?? "";
    for (const line of lines) if (line) each(line);
  });
  stream.on("end", () => {
    if (rest) each(rest);
    rest = "";
  });
}
