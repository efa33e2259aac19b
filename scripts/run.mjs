// `npm start` after setup: prepare, then run the web app, the control worker and the local host agent until Ctrl-C.
// BERTH_WEB_PROCESSES web processes (default 1) and BERTH_CONTROL_WORKERS control workers (default 1): one web
// process listens on PORT itself; several listen on loopback ports after it (PORT+1, PORT+2, …; or from
// BERTH_WEB_BASE_PORT) behind a front server in setup's Caddy on PORT (./front-proxy.mjs).
import { spawnSync } from "node:child_process";
import path from "node:path";
import { prepare } from "./prepare.mjs";
import { root } from "./load-env.mjs";
import { supervise } from "./supervise.mjs";
import { ensureFront, frontServer, removeFront } from "./front-proxy.mjs";

const env = { ...(await prepare()), NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" };
const bin = (name) => path.join(root, "node_modules", ".bin", name);

// This machine is a host too: register it (once) and run its agent beside the web app and control worker.
const local = spawnSync(bin("tsx"), ["scripts/local-agent.ts"], { cwd: root, env, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
if (local.status !== 0) process.exit(1);

/** @param {string} name */
function count(name) {
  const raw = env[name] ?? "1";
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || n < 1 || n > 64) {
    console.error(`berth: ${name} must be a whole number from 1 to 64, not "${raw}"`);
    process.exit(1);
  }
  return n;
}
const webs = count("BERTH_WEB_PROCESSES");
const workers = count("BERTH_CONTROL_WORKERS");
const port = Number(env.PORT);
const basePort = Number(env.BERTH_WEB_BASE_PORT || port + 1);
const webPorts = webs === 1 ? [port] : Array.from({ length: webs }, (_, i) => basePort + i);
// Behind the front, the web processes trust its forwarding headers (it connects from loopback).
const webEnv = webs === 1 ? env : { ...env, BERTH_TRUSTED_PROXIES: [env.BERTH_TRUSTED_PROXIES, "127.0.0.1", "::1"].filter(Boolean).join(",") };
const front = webs === 1 ? null : frontServer({ listen: port, upstreams: webPorts.map((p) => `127.0.0.1:${p}`), trustedProxies: env.BERTH_TRUSTED_PROXIES });
if (front) {
  try {
    await ensureFront(front);
  } catch (e) {
    console.error(`berth: ${webs} web processes need the front in Caddy on port ${port}: ${e.message}`);
    process.exit(1);
  }
} else {
  // An earlier run with several web processes left its front on PORT: this one listens there itself.
  await removeFront().catch(() => {});
}
const numbered = (name, i, n) => (n === 1 ? name : `${name}-${i + 1}`);

// Each one is supervised: a crash restarts that process alone, after a backoff, with a line saying why.
const children = [
  ...webPorts.map((p, i) => [
    numbered("web", i, webs),
    process.execPath,
    ["scripts/web-server.mjs", "--port", String(p), ...(webs === 1 ? [] : ["--host", "127.0.0.1"])],
    webEnv,
  ]),
  ...Array.from({ length: workers }, (_, i) => [numbered("worker", i, workers), bin("tsx"), ["workers/control.ts"], env]),
  ["agent", process.execPath, ["dist/agent.cjs"], { ...env, BERTH_AGENT_URL: local.stdout.trim() }],
].map(([name, command, args, childEnv]) => supervise({ name, command, args, cwd: root, env: childEnv }));

// Caddy restarted without its saved config (or someone loaded another) loses the front: make it again.
const frontCheck =
  front &&
  setInterval(() => {
    ensureFront(front)
      .then((written) => written && console.error("berth: the front server was missing from Caddy; made it again"))
      .catch((e) => console.error(`berth: checking the front server failed: ${e.message}`));
  }, 30_000);

let stopping = false;
function stop() {
  if (stopping) {
    // A second Ctrl-C: do not wait for anyone.
    for (const c of children) c.kill();
    process.exit(1);
  }
  stopping = true;
  if (frontCheck) clearInterval(frontCheck);
  Promise.all(children.map((c) => c.stop())).then(() => process.exit(0));
}
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
process.on("SIGHUP", stop); // the terminal closed: the children have their own sessions and would not hear it
// However this process ends, nothing it started outlives it.
process.on("exit", () => {
  for (const c of children) c.kill();
});

const webText = webs === 1 ? `web app on port ${port}` : `${webs} web processes on ports ${webPorts.join(", ")} behind Caddy on port ${port}`;
const workerText = workers === 1 ? "the control worker" : `${workers} control workers`;
console.log(
  `\n  Berth is running: open ${env.NEXTAUTH_URL}\n  (${webText}, ${workerText} and this machine's host agent, each restarted if it crashes; Ctrl-C stops them)\n`,
);
