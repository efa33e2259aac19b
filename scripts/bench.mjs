// `npm run bench:<name>` after setup: prepare the test database and the build, then run bench/<name>.ts
// with the test environment (never the database `npm start` uses) and a queue prefix of its own.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { prepare } from "./prepare.mjs";
import { root } from "./load-env.mjs";

const name = process.argv[2];
if (!name || !/^[a-z-]+$/.test(name)) {
  console.error("usage: node scripts/bench.mjs <name>   (runs bench/<name>.ts)");
  process.exit(2);
}
const env = { ...(await prepare({ test: true })), NEXT_TELEMETRY_DISABLED: "1", BERTH_QUEUE_PREFIX: `berth-bench-${process.pid}` };
const r = spawnSync(path.join(root, "node_modules", ".bin", "tsx"), [path.join("bench", `${name}.ts`)], { cwd: root, env, stdio: "inherit" });
process.exit(r.status ?? 1);
