// One place that decides Berth's runtime environment: the user's own variables win, then the
// generated secrets in .berth/secrets.env, then the local services that scripts/setup.sh runs.
import fs from "node:fs";
import path from "node:path";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");

function readSecrets() {
  const file = path.join(root, ".berth", "secrets.env");
  if (!fs.existsSync(file)) return {};
  const out = {};
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) out[m[1]] = m[2];
  }
  return out;
}

/** The environment for Berth's processes. `test` selects the test database. */
export function loadEnv({ test = false } = {}) {
  const env = { ...readSecrets(), ...process.env };
  const localDb = (name) => `postgresql://berth:${encodeURIComponent(env.BERTH_DB_PASSWORD ?? "")}@127.0.0.1:5432/${name}`;
  env.DATABASE_URL ??= localDb("berth");
  if (test) env.DATABASE_URL = env.TEST_DATABASE_URL ?? (process.env.DATABASE_URL ? withDbSuffix(env.DATABASE_URL) : localDb("berth_test"));
  if (!env.REDIS_URL) {
    // setup.sh runs it with TLS only, its certificate signed by Berth's private CA.
    env.REDIS_URL = `rediss://:${encodeURIComponent(env.BERTH_REDIS_PASSWORD ?? "")}@127.0.0.1:${env.BERTH_REDIS_TLS_PORT || 6380}`;
    env.BERTH_LOCAL_REDIS = "1"; // ours to start and stop (scripts/setup.sh does), not a user's
  }
  env.NODE_EXTRA_CA_CERTS = extraCaCerts(env);
  env.PORT ??= "3000";
  env.NEXTAUTH_URL ??= `http://localhost:${env.PORT}`;
  for (const key of ["NEXTAUTH_SECRET", "BERTH_MASTER_KEY"]) {
    if (!env[key]) throw new Error(`${key} is not set and .berth/secrets.env has none: run \`npm start\` once, or set it.`);
  }
  return env;
}

// Every Berth process (and test) trusts Berth's CA: Redis and the registry serve certificates it signed. Node
// reads NODE_EXTRA_CA_CERTS (one file) only at start, so it must be in the environment processes are spawned
// with; one the user set already is kept, in a bundle with ours.
function extraCaCerts(env) {
  const ca = env.BERTH_CA_FILE || path.join(root, ".berth", "tls", "ca.crt");
  const theirs = env.NODE_EXTRA_CA_CERTS;
  if (!fs.existsSync(ca)) return theirs;
  if (!theirs || !fs.existsSync(theirs)) return ca;
  const ours = fs.readFileSync(ca, "utf8");
  if (fs.readFileSync(theirs, "utf8").includes(ours.trim())) return theirs; // ours, or a bundle made here already
  const bundle = path.join(root, ".berth", "tls", "node-extra-ca.crt");
  const content = `${fs.readFileSync(theirs, "utf8").trimEnd()}\n${ours}`;
  if (!fs.existsSync(bundle) || fs.readFileSync(bundle, "utf8") !== content) {
    const tmp = `${bundle}.${process.pid}`;
    fs.writeFileSync(tmp, content);
    fs.renameSync(tmp, bundle); // whole or not at all: processes starting meanwhile read one or the other
  }
  return bundle;
}

function withDbSuffix(url) {
  const u = new URL(url);
  u.pathname = `${u.pathname}_test`;
  return u.toString();
}

export { root };
