// Waits until a candidate container answers: an HTTP GET of its health path returning 2xx or 3xx, or, with
// no path, its port accepting a TCP connection. Gives up at the timeout, when the container stops running,
// or when the deployment is cancelled. A container with no port to probe must keep running for a moment.
import { request } from "node:http";
import { connect } from "node:net";

export type HealthTarget = { ip: string; port: number; path: string | null; timeoutSec: number };

function probeHttp(t: HealthTarget): Promise<string | null> {
  return new Promise((resolve) => {
    const req = request({ host: t.ip, port: t.port, path: t.path!, method: "GET", timeout: 2000, headers: { "user-agent": "berth-health-check" } }, (res) => {
      res.resume();
      const code = res.statusCode ?? 0;
      resolve(code >= 200 && code < 400 ? null : `GET ${t.path} answered ${code}`);
    });
    req.on("timeout", () => req.destroy(new Error("no answer within 2 s")));
    req.on("error", (e) => resolve(`GET ${t.path}: ${e.message}`));
    req.end();
  });
}

function probeTcp(t: HealthTarget): Promise<string | null> {
  return new Promise((resolve) => {
    const sock = connect({ host: t.ip, port: t.port, timeout: 2000 });
    sock.on("connect", () => {
      sock.destroy();
      resolve(null);
    });
    sock.on("timeout", () => sock.destroy(new Error("no answer within 2 s")));
    sock.on("error", (e) => resolve(`port ${t.port}: ${e.message}`));
  });
}

/** Resolves when healthy; rejects with the last probe's failure otherwise. */
export async function waitHealthy(t: HealthTarget, opts: { signal: AbortSignal; stillRunning: () => Promise<boolean>; onProbe?: (failure: string) => void }) {
  const deadline = Date.now() + t.timeoutSec * 1000;
  let last = "no check ran";
  let tries = 0;
  while (!opts.signal.aborted) {
    const failure = t.path ? await probeHttp(t) : await probeTcp(t);
    if (failure === null) return;
    last = failure;
    if (++tries % 20 === 1) opts.onProbe?.(failure);
    if (!(await opts.stillRunning())) throw new Error(`The container stopped before it passed its health check (${last}).`);
    if (Date.now() >= deadline) throw new Error(`The health check did not pass within ${t.timeoutSec} s: ${last}.`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("cancelled");
}

const STEADY_MS = 2000;

/** No port to probe: the container must still be running a moment after it started (a crash on start shows). */
export async function waitSteady(opts: { signal: AbortSignal; stillRunning: () => Promise<boolean> }) {
  const deadline = Date.now() + STEADY_MS;
  while (!opts.signal.aborted) {
    if (!(await opts.stillRunning())) throw new Error("The container stopped right after it started.");
    if (Date.now() >= deadline) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("cancelled");
}
