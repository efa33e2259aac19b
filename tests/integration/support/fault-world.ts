// A private Berth world for the fault tests, so faults never touch the services other test runs share:
// its own PostgreSQL cluster (initdb in a temporary directory, the test database's schema copied in), its
// own Redis (append-only file, as scripts/setup.sh starts Berth's), and a second "host": a network namespace
// joined to this machine by a veth pair, running its own dockerd, its own Caddy and the agent. The control
// worker and the agent run as real processes, so killing them is a real SIGKILL; cutting the veth link is a
// network partition between the host and Redis. Everything is removed at the end, even after a failure, and
// whatever a crashed earlier run left (its namespace, link, mounts, processes) is removed before starting.
// Needs root (namespaces, a second dockerd) and the Debian packages scripts/setup.sh installs.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { build } from "esbuild";
import { freePort } from "../../support/start-berth";

const ROOT = process.cwd();
const PG_BIN = fs.existsSync("/usr/lib/postgresql") ? path.join("/usr/lib/postgresql", fs.readdirSync("/usr/lib/postgresql").sort().at(-1)!, "bin") : "";
const NS_PREFIX = "berthf";
const WORLD_MARK = "BERTH_FAULT_WORLD";

const sh = (cmd: string, args: string[], opts: { input?: string; quiet?: boolean } = {}) =>
  execFileSync(cmd, args, {
    input: opts.input,
    stdio: [opts.input === undefined ? "ignore" : "pipe", "pipe", opts.quiet ? "ignore" : "pipe"],
    maxBuffer: 64 << 20,
  }).toString();
const trySh = (cmd: string, args: string[]) => {
  try {
    return sh(cmd, args, { quiet: true });
  } catch {
    return null;
  }
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until(what: string, ok: () => boolean | Promise<boolean>, ms: number) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await Promise.resolve(ok()).catch(() => false)) return;
    await sleep(100);
  }
  throw new Error(`${what} did not happen within ${ms / 1000} s`);
}

/** Mount points under `dir`, deepest first. */
function mountsUnder(dir: string) {
  return fs
    .readFileSync("/proc/mounts", "utf8")
    .split("\n")
    .map((l) => l.split(" ")[1] ?? "")
    .filter((m) => m === dir || m.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}

/**
 * Processes of a world: those in its namespace, and those started with its mark in their environment (a
 * process id alone could since belong to anything else: ids are reused, so none is ever killed by a stored id).
 */
function processesOf(ns: string): number[] {
  const inNamespace = (trySh("ip", ["netns", "pids", ns]) ?? "").split("\n").filter(Boolean).map(Number);
  const marked = fs
    .readdirSync("/proc")
    .filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid)
    .filter((p) => {
      try {
        return fs.readFileSync(`/proc/${p}/environ`, "utf8").split("\0").includes(`${WORLD_MARK}=${ns}`);
      } catch {
        return false;
      }
    });
  return [...new Set([...inNamespace, ...marked.map(Number)])];
}

/** Removes a namespace, its processes, its link and its directory (this run's, or one a dead run left). */
function removeWorld(ns: string, link: string, dir: string) {
  for (const pid of processesOf(ns)) trySh("kill", ["-9", String(pid)]);
  if (fs.existsSync(path.join(dir, "pg", "postmaster.pid")))
    trySh("runuser", ["-u", "postgres", "--", path.join(PG_BIN, "pg_ctl"), "-D", path.join(dir, "pg"), "-m", "immediate", "stop"]);
  for (const m of mountsUnder(dir)) trySh("umount", ["-l", m]);
  trySh("ip", ["netns", "del", ns]);
  trySh("ip", ["link", "del", link]);
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Worlds of test runs that died without cleaning up (their vitest process is gone). */
function sweepStale() {
  const stale = (name: string) => {
    const m = new RegExp(`^${NS_PREFIX}(\\d+)x[0-9a-f]+`).exec(name);
    return m && !alive(Number(m[1])) ? m[0] : null;
  };
  for (const d of fs.readdirSync(os.tmpdir())) {
    const ns = stale(d);
    if (!ns) continue;
    const dir = path.join(os.tmpdir(), d);
    const read = (f: string) => (fs.existsSync(path.join(dir, f)) ? fs.readFileSync(path.join(dir, f), "utf8") : "");
    removeWorld(ns, read("link").trim() || "none", dir);
  }
  for (const line of (trySh("ip", ["netns", "list"]) ?? "").split("\n")) {
    const ns = stale(line);
    if (ns) removeWorld(ns, "none", "/nonexistent");
  }
}

type Proc = { name: string; child: ChildProcess; log: string };

export type FaultWorld = Awaited<ReturnType<typeof startFaultWorld>>;

export async function startFaultWorld() {
  sweepStale();
  const id = `${NS_PREFIX}${process.pid}x${randomBytes(2).toString("hex")}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${id}-`));
  fs.chmodSync(dir, 0o755);
  const ns = id;
  const short = randomBytes(4).toString("hex"); // interface names: at most 15 characters
  const link = `bf${short}a`;
  const peer = `bf${short}b`;
  fs.writeFileSync(path.join(dir, "link"), link);
  const net = `10.${200 + (process.pid % 50)}.${randomBytes(1)[0]}`;
  const hostSide = `${net}.1`;
  const nsSide = `${net}.2`;
  const procs = new Map<string, Proc>();
  let removed = false;

  function start(name: string, cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env, inNamespace = false): Proc {
    const logFile = path.join(dir, `${name}.log`);
    const out = fs.openSync(logFile, "a");
    const [c, a] = inNamespace ? ["nsenter", [`--net=/var/run/netns/${ns}`, cmd, ...args]] : [cmd, args];
    const child = spawn(c, a as string[], { env: { ...env, [WORLD_MARK]: ns }, stdio: ["ignore", out, out], detached: true });
    fs.closeSync(out);
    const p = { name, child, log: logFile };
    procs.set(name, p);
    return p;
  }
  /** Signals the process group (tsx runs node as a child), or the process alone (dockerd: its containerd must
   * not get the signal too, dockerd stops it after its containers). */
  async function stop(name: string, signal: NodeJS.Signals = "SIGTERM", ms = 15_000, group = name !== "dockerd") {
    const p = procs.get(name);
    if (!p || p.child.exitCode !== null || p.child.signalCode !== null) return;
    const exited = new Promise((r) => p.child.once("exit", r));
    try {
      process.kill(group ? -p.child.pid! : p.child.pid!, signal);
    } catch {
      return;
    }
    await Promise.race([exited, sleep(ms)]);
    if (p.child.exitCode === null && p.child.signalCode === null) {
      process.kill(-p.child.pid!, "SIGKILL");
      await exited;
    }
  }
  const tail = (name: string, n = 40) => {
    const p = procs.get(name);
    return p && fs.existsSync(p.log) ? fs.readFileSync(p.log, "utf8").split("\n").slice(-n).join("\n") : "";
  };

  async function remove() {
    if (removed) return;
    removed = true;
    for (const n of ["agent", "control", "caddy"]) await stop(n, "SIGKILL", 3000);
    if (fs.existsSync(dockerSock)) {
      const ids =
        trySh("docker", ["-H", `unix://${dockerSock}`, "ps", "-aq"])
          ?.split("\n")
          .filter(Boolean) ?? [];
      if (ids.length) trySh("docker", ["-H", `unix://${dockerSock}`, "rm", "-f", ...ids]);
    }
    await stop("dockerd", "SIGTERM", 10_000);
    await stop("redis", "SIGKILL", 3000);
    removeWorld(ns, link, dir);
  }
  // A test process that exits without afterAll (a crash) cannot wait: what it cannot reach now, the next
  // run's sweepStale removes.
  process.once("exit", () => {
    if (!removed) removeWorld(ns, link, dir);
  });

  // --- the second host's network: a namespace behind a veth pair -----------------------------------------
  try {
    sh("ip", ["netns", "add", ns]);
    sh("ip", ["link", "add", link, "type", "veth", "peer", "name", peer]);
    sh("ip", ["link", "set", peer, "netns", ns]);
    sh("ip", ["addr", "add", `${hostSide}/24`, "dev", link]);
    sh("ip", ["link", "set", link, "up"]);
    for (const args of [
      ["addr", "add", `${nsSide}/24`, "dev", peer],
      ["link", "set", peer, "up"],
      ["link", "set", "lo", "up"],
      ["route", "add", "default", "via", hostSide],
    ]) {
      sh("ip", ["netns", "exec", ns, "ip", ...args]);
    }
  } catch (e) {
    await remove();
    throw e;
  }

  // --- its dockerd --------------------------------------------------------------------------------------
  const dockerSock = path.join(dir, "docker.sock");
  fs.writeFileSync(path.join(dir, "daemon.json"), "{}");
  const dockerArgs = [
    "--data-root",
    path.join(dir, "docker"),
    "--exec-root",
    path.join(dir, "exec"),
    "-H",
    `unix://${dockerSock}`,
    "--pidfile",
    path.join(dir, "docker.pid"),
    "--config-file",
    path.join(dir, "daemon.json"),
    "--bip",
    `172.31.${randomBytes(1)[0]}.1/24`,
  ];
  const dockerUp = () =>
    new Promise<boolean>((resolve) => {
      const req = http.request({ socketPath: dockerSock, path: "/_ping", timeout: 1000 }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.on("error", () => resolve(false));
      req.on("timeout", () => req.destroy());
      req.end();
    });
  async function startDockerd() {
    start("dockerd", "dockerd", dockerArgs, process.env, true);
    await until("the second dockerd answering", dockerUp, 60_000);
  }

  // --- its Caddy (config and data kept in the world; its admin API on the namespace's address, so the test
  // can read the routes: on a real host it stays on loopback) ----------------------------------------------
  const caddyEnv = { ...process.env, XDG_CONFIG_HOME: path.join(dir, "caddy-config"), XDG_DATA_HOME: path.join(dir, "caddy-data"), HOME: dir };
  const caddyAdmin = `http://${nsSide}:2019`;
  fs.writeFileSync(path.join(dir, "caddy.json"), JSON.stringify({ admin: { listen: `${nsSide}:2019` } }));
  const caddyUp = () =>
    new Promise<boolean>((resolve) => {
      const req = http.request(`${caddyAdmin}/config/`, { timeout: 1000, agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.on("error", () => resolve(false));
      req.on("timeout", () => req.destroy());
      req.end();
    });
  async function startCaddy() {
    start("caddy", "caddy", ["run", "--config", path.join(dir, "caddy.json")], caddyEnv, true);
    await until("Caddy's admin API", caddyUp, 20_000);
  }

  // --- its Redis: on this machine, reachable from the namespace over the link ---------------------------
  const redisPort = await freePort();
  const redisPassword = randomBytes(16).toString("hex");
  fs.mkdirSync(path.join(dir, "redis"));
  const redisArgs = [
    "--port",
    String(redisPort),
    "--bind",
    "127.0.0.1",
    hostSide,
    "--requirepass",
    redisPassword,
    "--appendonly",
    "yes",
    "--appendfsync",
    "everysec",
    "--save",
    "",
    "--dir",
    path.join(dir, "redis"),
  ];
  async function startRedis() {
    start("redis", "redis-server", redisArgs);
    await until("Redis", () => trySh("redis-cli", ["-p", String(redisPort), "-a", redisPassword, "--no-auth-warning", "ping"])?.trim() === "PONG", 10_000);
  }

  // --- its PostgreSQL: a throwaway cluster with the test database's schema -------------------------------
  const pgPort = await freePort();
  const pgData = path.join(dir, "pg");
  const pgRun = path.join(dir, "pgrun"); // its socket and log: it runs as the postgres user
  const pgCtl = (...args: string[]) => sh("runuser", ["-u", "postgres", "--", path.join(PG_BIN, "pg_ctl"), "-D", pgData, ...args]);
  async function startPostgres() {
    pgCtl("-o", `-p ${pgPort} -k ${pgRun} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`, "-l", path.join(pgRun, "pg.log"), "-w", "start");
  }
  const databaseUrl = `postgresql://postgres:unused@127.0.0.1:${pgPort}/berth`;

  try {
    fs.mkdirSync(pgData);
    fs.mkdirSync(pgRun);
    execFileSync("chown", ["postgres", pgData, pgRun]);
    sh("runuser", ["-u", "postgres", "--", path.join(PG_BIN, "initdb"), "-D", pgData, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"]);
    await Promise.all([startPostgres(), startRedis(), startDockerd()]);
    await startCaddy();
    sh("psql", ["-q", "-h", "127.0.0.1", "-p", String(pgPort), "-U", "postgres", "-c", "CREATE DATABASE berth"]);
    const schema = sh("pg_dump", ["--schema-only", "--no-owner", "--no-privileges", `--dbname=${process.env.DATABASE_URL}`]);
    sh("psql", ["-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", String(pgPort), "-U", "postgres", "-d", "berth", "-f", "-"], { input: schema });
  } catch (e) {
    await remove();
    throw e;
  }

  // The agent bundle, as `npm run agent` builds it (plain node starts in a fraction of tsx's time).
  const agentBundle = path.join(dir, "agent.cjs");
  await build({
    entryPoints: [path.join(ROOT, "workers", "agent.ts")],
    outfile: agentBundle,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    packages: "external",
    logLevel: "warning",
  });

  const prefix = `berth-faults-${process.pid}`;
  const redisUrl = `redis://:${redisPassword}@127.0.0.1:${redisPort}`;
  /** What Berth's own processes (the test process included) use in this world. */
  const berthEnv = {
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    BERTH_QUEUE_PREFIX: prefix,
    BERTH_PUBLIC_REDIS_URL: `redis://${hostSide}:${redisPort}`,
    BERTH_DEPLOY_LEASE_MS: "8000",
    BERTH_HOST_OFFLINE_AFTER_MS: "3000",
    BERTH_REPORT_RECLAIM_MS: "2000",
    BERTH_REPORT_LEASE_MS: "3000", // a restarted control worker takes its dead predecessor's hosts over this soon
  };
  let agentUrl = "";

  return {
    dir,
    ns,
    berthEnv,
    dockerSock,
    /** The second host's proxy and its admin API, as seen from this machine. */
    proxyAddress: { host: nsSide, port: 80 },
    caddyAdmin,
    setAgentUrl(url: string) {
      agentUrl = url;
    },
    async startAgent() {
      start(
        "agent",
        process.execPath,
        [agentBundle],
        {
          ...process.env,
          NODE_PATH: path.join(ROOT, "node_modules"),
          BERTH_AGENT_URL: agentUrl,
          DOCKER_HOST: `unix://${dockerSock}`,
          BERTH_CADDY_ADMIN: caddyAdmin,
          BERTH_PROXY_HTTP_PORT: "80",
          BERTH_ALLOW_LOCAL_GIT: "1",
          BERTH_RECONCILE_MS: "2000",
          BERTH_HEARTBEAT_MS: "500",
        },
        true,
      );
    },
    startControl() {
      start("control", path.join(ROOT, "node_modules", ".bin", "tsx"), ["workers/control.ts"], { ...process.env, ...berthEnv });
    },
    kill: (name: "agent" | "control") => stop(name, "SIGKILL"),
    stopAgent: () => stop("agent", "SIGTERM"),
    async restartRedis(downMs = 1000) {
      await stop("redis", "SIGKILL");
      await sleep(downMs);
      await startRedis();
    },
    async restartDockerd() {
      await stop("dockerd", "SIGTERM", 30_000);
      await startDockerd();
    },
    async restartPostgres(downMs = 3000) {
      pgCtl("-m", "fast", "stop");
      await sleep(downMs);
      await startPostgres();
    },
    async restartCaddy() {
      await stop("caddy", "SIGKILL");
      await startCaddy(); // with its initial config: every route is gone, as after a restart without --resume
    },
    /** Cuts the host off the network (the veth link down) for `ms`. */
    async cutNetwork(ms: number) {
      sh("ip", ["link", "set", link, "down"]);
      try {
        await sleep(ms);
      } finally {
        sh("ip", ["link", "set", link, "up"]);
      }
    },
    tail,
    remove,
  };
}
