// `npm run bench:<name>` after setup: prepare the test database and the build, then run bench/<name>.ts
// with the test environment (never the database `npm start` uses) and a queue prefix of its own, on a database
// of its own made fresh for the run (`<test database>_bench`): what earlier test runs left in the test database
// (thousands of hosts of other teams, whose report streams a control worker reads too) must not be measured.
import { spawnSync } from "node:child_process";
import path from "node:path";
import pg from "pg";
import { prepare } from "./prepare.mjs";
import { root } from "./load-env.mjs";

const name = process.argv[2];
if (!name || !/^[a-z-]+$/.test(name)) {
  console.error("usage: node scripts/bench.mjs <name>   (runs bench/<name>.ts)");
  process.exit(2);
}
const env = { ...(await prepare({ test: true })), NEXT_TELEMETRY_DISABLED: "1", BERTH_QUEUE_PREFIX: `berth-bench-${process.pid}` };
env.DATABASE_URL = await freshDatabase(env.DATABASE_URL);
const r = spawnSync(path.join(root, "node_modules", ".bin", "tsx"), [path.join("bench", `${name}.ts`)], { cwd: root, env, stdio: "inherit" });
process.exit(r.status ?? 1);

/** `<database>_bench` on the same server, dropped, created and migrated; the URL as it was if that is not allowed. */
async function freshDatabase(url) {
  const u = new URL(url);
  const db = `${decodeURIComponent(u.pathname.slice(1))}_bench`;
  if (!/^[A-Za-z0-9_]+$/.test(db)) return url;
  const admin = new URL(url);
  admin.pathname = "/postgres";
  const c = new pg.Client({ connectionString: admin.toString() });
  try {
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
    await c.query(`CREATE DATABASE "${db}"`);
  } catch (e) {
    console.error(`bench: no fresh database (${e.message}); measuring on the test database as it is`);
    return url;
  } finally {
    await c.end().catch(() => {});
  }
  u.pathname = `/${db}`;
  const migrated = spawnSync(path.join(root, "node_modules", ".bin", "prisma"), ["migrate", "deploy"], {
    cwd: root,
    env: { ...process.env, ...env, DATABASE_URL: u.toString() },
    stdio: ["ignore", "ignore", "inherit"],
  });
  if (migrated.status !== 0) throw new Error(`bench: migrating ${db} failed`);
  // Benches sign up many users, as tests do (tests/support/signup-policy.ts): anyone may sign up here.
  const fresh = new pg.Client({ connectionString: u.toString() });
  await fresh.connect();
  try {
    await fresh.query(`INSERT INTO "InstanceSettings" ("id", "signupPolicy", "signupDomains", "updatedAt") VALUES (1, 'OPEN', '{}', now())`);
  } finally {
    await fresh.end();
  }
  return u.toString();
}
