// `npm start` after setup: prepare, then run the web app and the control worker until Ctrl-C.
import { spawn } from "node:child_process";
import path from "node:path";
import { prepare } from "./prepare.mjs";
import { root } from "./load-env.mjs";

const env = { ...prepare(), NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" };
const bin = (name) => path.join(root, "node_modules", ".bin", name);

const children = [
  ["web", bin("next"), ["start", "--port", env.PORT]],
  ["worker", bin("tsx"), ["workers/control.ts"]],
].map(([name, cmd, args]) => {
  const child = spawn(cmd, args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
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

console.log(`\n  Berth is running: open ${env.NEXTAUTH_URL}\n  (web app on port ${env.PORT} and the control worker; Ctrl-C stops both)\n`);
