// Runs a project binary with Berth's environment: `node scripts/with-env.mjs [--test] prisma migrate deploy`.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { loadEnv, root } from "./load-env.mjs";

const test = process.argv[2] === "--test";
const [cmd, ...args] = process.argv.slice(test ? 3 : 2);
if (!cmd) {
  console.error("usage: node scripts/with-env.mjs [--test] <command> [args…]");
  process.exit(2);
}
const r = spawnSync(path.join(root, "node_modules", ".bin", cmd), args, { cwd: root, env: loadEnv({ test }), stdio: "inherit" });
process.exit(r.status ?? 1);
