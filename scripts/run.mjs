// `npm start` after setup: prepare, then run the web app, the control worker and the local host agent until Ctrl-C.
import { spawn, spawnSync } from "node:child_process";
import path from "node:path";
import { prepare } from "./prepare.mjs";
import { root } from "./load-env.mjs";

const env = { ...(await prepare()), NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" };
const bin = (name) => path.join(root, "node_modules", ".bin", name);

// This machine is a host too: register it (once) and run its agent beside the web app and control worker.
const local = spawnSync(bin("tsx"), ["scripts/local-agent.ts"], { cwd: root, env, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
if (local.status !== 0) process.exit(1);

const children = [
  ["web", process.execPath, ["scripts/web-server.mjs", "--port", env.PORT], env],
  ["worker", bin("tsx"), ["workers/control.ts"], env],
  ["agent", process.execPath, ["dist/agent.cjs"], { ...env, BERTH_AGENT_URL: local.stdout.trim() }],
].map(([name, cmd, args, childEnv]) => {
  const child = spawn(cmd, args, { cwd: root, env: childEnv, stdio: ["ignore", "pipe", "pipe"] });
  const prefix = (stream, out) =>
    stream.on("data", (chunk) => {
      for (const line of chunk.toString().split("\n")) if (line) out.write(`[${name}] ${line}\n`);
    });
  prefix(child.stdout, process.stdout);
  prefix(child.stderr, process.stderr);
  child.on("exit", (code, signal) => {
    if (stopping) return;
    console.error(`berth: ${name} exited (${signal ?? code}); stopping.`);
    stop(code || 1);
  });
  return child;
});

let stopping = false;
function stop(code = 0) {
  stopping = true;
  for (const c of children) c.kill("SIGTERM");
  setTimeout(() => process.exit(code), 3000).unref();
  Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r() : c.on("exit", r))))).then(() => process.exit(code));
}
process.on("SIGINT", () => stop(0));
process.on("SIGTERM", () => stop(0));

console.log(`\n  Berth is running: open ${env.NEXTAUTH_URL}\n  (web app on port ${env.PORT}, the control worker and this machine's host agent; Ctrl-C stops them)\n`);
