// `npm start` after setup: prepare, then run the web app, the control worker and the local host agent until Ctrl-C.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { prepare } from "./prepare.mjs";
import { root } from "./load-env.mjs";
import { supervise } from "./supervise.mjs";

const env = { ...(await prepare()), NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" };
const bin = (name) => path.join(root, "node_modules", ".bin", name);

// This machine is a host too: register it (once) and run its agent beside the web app and control worker.
const local = spawnSync(bin("tsx"), ["scripts/local-agent.ts"], { cwd: root, env, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
if (local.status !== 0) process.exit(1);

// Each one is supervised: a crash restarts that process alone, after a backoff, with a line saying why.
const children = [
  ["web", process.execPath, ["scripts/web-server.mjs", "--port", env.PORT], env],
  ["worker", bin("tsx"), ["workers/control.ts"], env],
  ["agent", process.execPath, ["dist/agent.cjs"], { ...env, BERTH_AGENT_URL: local.stdout.trim() }],
].map(([name, command, args, childEnv]) => supervise({ name, command, args, cwd: root, env: childEnv }));

let stopping = false;
function stop() {
  if (stopping) {
    // A second Ctrl-C: do not wait for anyone.
    for (const c of children) c.kill();
    process.exit(1);
  }
  stopping = true;
  Promise.all(children.map((c) => c.stop())).then(() => process.exit(0));
}
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
process.on("SIGHUP", stop); // the terminal closed: the children have their own sessions and would not hear it
// However this process ends, nothing it started outlives it.
process.on("exit", () => {
  for (const c of children) c.kill();
});

console.log(
  `\n  Berth is running: open ${env.NEXTAUTH_URL}\n  (web app on port ${env.PORT}, the control worker and this machine's host agent, each restarted if it crashes; Ctrl-C stops them)\n`,
);
