// Runs the Prisma CLI with Berth's environment: `node scripts/prisma.mjs migrate deploy [--test]`.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { loadEnv, root } from "./load-env.mjs";

const args = process.argv.slice(2).filter((a) => a !== "--test");
const env = loadEnv({ test: process.argv.includes("--test") });
const bin = path.join(root, "node_modules", ".bin", "prisma");
const r = spawnSync(bin, args, { cwd: root, env, stdio: "inherit" });
process.exit(r.status ?? 1);
