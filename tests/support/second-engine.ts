// A second, real Docker Engine on this machine, for tests and benchmarks that need "another host": a network
// namespace of its own joined to this machine by a veth pair, with its own dockerd (data root, exec root,
// socket, bridge and iptables), started with `nsenter --net=…` (`ip netns exec` remounts /sys and dockerd then
// finds no cgroups). From inside, this machine is the veth gateway, and every address of this machine (its
// primary one included) is a local address reached through it, so no NAT or forwarding rule is needed; cutting
// the link is a network partition.
// Everything is named bse<owner pid, base 36>-<counter, base 36>: stop() removes it all (containers, dockerd, data and
// exec roots, namespace, veth, cgroups), and every start first removes what owners that no longer run left,
// never anything whose name lacks the prefix or whose owner still runs. Needs root.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import Dockerode from "dockerode";

const PREFIX = "bse";
/** In the environment of every process an engine starts, so a sweep finds them without a stored pid. */
const MARK = "BERTH_SECOND_ENGINE";
const CGROUP_ROOT = "/sys/fs/cgroup";
let counter = 0;

type Names = ReturnType<typeof namesOf>;

function namesOf(name: string) {
  return {
    name,
    netns: `/var/run/netns/${name}`,
    dataRoot: `/var/lib/berth-test-${name}`,
    execRoot: `/run/${name}`,
    socket: `/run/${name}.sock`,
    pidfile: `/run/${name}.pid`,
    log: `/run/${name}.log`,
    config: `/run/${name}.json`,
    /** Its containers' cgroup parent, so a sweep finds their processes even after dockerd died. */
    cgroup: `berth-test-${name}`,
    /** The veth pair: this machine's end and the namespace's (interface names: at most 15 characters). */
    mainLink: `${name}-m`,
    nsLink: `${name}-n`,
  };
}

const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: ["ignore", "pipe", "pipe"] }).toString();
const tryRun = (cmd: string, args: string[]) => {
  try {
    return run(cmd, args);
  } catch {
    return "";
  }
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sleepSync = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

function alive(pid: number) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The engine name a resource name starts with, when it is ours and its owner process is gone. */
function staleName(resource: string): string | null {
  const m = /^bse([0-9a-z]+)-[0-9a-z]+/.exec(resource);
  return m && !alive(Number.parseInt(m[1]!, 36)) ? m[0] : null;
}

// --- finding and removing an engine's leftovers (synchronous: it also runs from a process "exit" hook) -----

function netnsPids(n: Names) {
  return fs.existsSync(n.netns) ? tryRun("ip", ["netns", "pids", n.name]).split("\n").filter(Boolean).map(Number) : [];
}

function markedPids(n: Names) {
  const pids: number[] = [];
  for (const p of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(p) || Number(p) === process.pid) continue;
    try {
      if (fs.readFileSync(`/proc/${p}/environ`, "utf8").split("\0").includes(`${MARK}=${n.name}`)) pids.push(Number(p));
    } catch {
      /* gone meanwhile, or a kernel thread */
    }
  }
  return pids;
}

/** The engine's cgroup directories in every controller, deepest first (cgroup v1 or v2). */
function cgroupDirs(n: Names) {
  if (!fs.existsSync(CGROUP_ROOT)) return [];
  const tops = fs.existsSync(`${CGROUP_ROOT}/cgroup.procs`)
    ? [`${CGROUP_ROOT}/${n.cgroup}`]
    : fs.readdirSync(CGROUP_ROOT).map((c) => `${CGROUP_ROOT}/${c}/${n.cgroup}`);
  const dirs: string[] = [];
  const walk = (d: string) => {
    if (!fs.existsSync(d) || !fs.statSync(d).isDirectory()) return;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) walk(`${d}/${e.name}`);
    dirs.push(d);
  };
  for (const t of tops) walk(t);
  return dirs;
}

function cgroupPids(n: Names) {
  return cgroupDirs(n).flatMap((d) => {
    try {
      return fs.readFileSync(`${d}/cgroup.procs`, "utf8").split("\n").filter(Boolean).map(Number);
    } catch {
      return [];
    }
  });
}

const enginePids = (n: Names) => [...new Set([...netnsPids(n), ...markedPids(n), ...cgroupPids(n)])];

function mountsUnder(dirs: string[]) {
  return fs
    .readFileSync("/proc/self/mounts", "utf8")
    .split("\n")
    .map((l) => (l.split(" ")[1] ?? "").replace(/\\040/g, " "))
    .filter((m) => dirs.some((d) => m === d || m.startsWith(`${d}/`)))
    .sort((a, b) => b.length - a.length);
}

/** Removes everything an engine of this name has: processes (SIGKILL), mounts, namespace, link, cgroups, files. */
function removeEngine(n: Names) {
  for (let i = 0; i < 50; i++) {
    const pids = enginePids(n);
    if (!pids.length) break;
    for (const pid of pids) tryRun("kill", ["-9", String(pid)]);
    sleepSync(100);
  }
  for (const m of mountsUnder([n.dataRoot, n.execRoot])) tryRun("umount", ["-l", m]);
  if (fs.existsSync(n.netns)) tryRun("ip", ["netns", "del", n.name]);
  if (fs.existsSync(`/sys/class/net/${n.mainLink}`)) tryRun("ip", ["link", "del", n.mainLink]);
  for (const d of cgroupDirs(n)) {
    try {
      fs.rmdirSync(d);
    } catch {
      /* still emptying: the next sweep takes it */
    }
  }
  for (const p of [n.dataRoot, n.execRoot, n.socket, n.pidfile, n.log, n.config]) fs.rmSync(p, { recursive: true, force: true });
}

/** Every resource an engine of this name may have left; empty when it left nothing. */
export function leftoversOf(name: string): string[] {
  const n = namesOf(name);
  return [
    ...[n.netns, n.dataRoot, n.execRoot, n.socket, n.pidfile, n.log, n.config, `/sys/class/net/${n.mainLink}`].filter((p) => fs.existsSync(p)),
    ...cgroupDirs(n),
    ...enginePids(n).map((pid) => `process ${pid}`),
  ];
}

/** Removes the engines of test processes that died without stopping them. */
export function sweepStaleEngines() {
  const found = new Set<string>();
  const consider = (resource: string) => {
    const name = staleName(resource);
    if (name) found.add(name);
  };
  for (const line of tryRun("ip", ["netns", "list"]).split("\n")) consider(line.split(" ")[0] ?? "");
  for (const l of fs.readdirSync("/sys/class/net")) consider(l);
  for (const f of fs.readdirSync("/run")) consider(f);
  for (const f of fs.readdirSync("/var/lib")) if (f.startsWith("berth-test-")) consider(f.slice("berth-test-".length));
  for (const name of found) removeEngine(namesOf(name));
}

// --- addresses ---------------------------------------------------------------------------------------------

const toInt = (ip: string) => ip.split(".").reduce((a, b) => a * 256 + Number(b), 0);

/** Whether a /24 overlaps a route or address this machine already has. */
function inUse(net24: string, taken: string[]) {
  const ours = toInt(`${net24}.0`);
  return taken.some((cidr) => {
    const [ip, bits = "32"] = cidr.split("/");
    const len = Math.min(Number(bits), 24);
    const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
    return (ours & mask) >>> 0 === (toInt(ip!) & mask) >>> 0;
  });
}

/** A free 10.100-199.x.0/24 for the link, picked from the pid and the counter, skipping what is routed here. */
function pickLinkNet(seed: number) {
  const taken = [...tryRun("ip", ["-4", "-o", "route", "show", "table", "all"]).matchAll(/(?:^|\s)(\d+\.\d+\.\d+\.\d+(?:\/\d+)?)/gm)].map((m) => m[1]!);
  for (let attempt = 0; attempt < 1000; attempt++) {
    const k = (seed * 7919 + attempt * 104_729) % 25_600;
    const net = `10.${100 + Math.floor(k / 256)}.${k % 256}`;
    if (!inUse(net, taken)) return net;
  }
  throw new Error("no free 10.100.0.0/16–10.199.0.0/16 subnet for a second engine's link");
}

/** This machine's primary address: the first `hostname -I` prints. */
export function mainAddress() {
  const first = run("hostname", ["-I"]).trim().split(/\s+/)[0];
  if (!first) throw new Error("hostname -I printed no address");
  return first;
}

// --- the engine --------------------------------------------------------------------------------------------

export type ExecResult = { code: number | null; stdout: string; stderr: string };
export type ExecOptions = { env?: Record<string, string>; input?: string; timeoutMs?: number };
export type SecondEngine = Awaited<ReturnType<typeof startSecondEngine>>;

async function follow(docker: Dockerode, stream: NodeJS.ReadableStream, what: string) {
  const events = await new Promise<{ error?: string; errorDetail?: { message?: string } }[]>((resolve, reject) =>
    docker.modem.followProgress(stream, (err: Error | null, res: { error?: string }[]) => (err ? reject(err) : resolve(res))),
  );
  const failed = events.find((e) => e.error || e.errorDetail);
  if (failed) throw new Error(`${what} failed: ${failed.errorDetail?.message ?? failed.error}`);
}

/** Starts a second Docker Engine in a network namespace of its own and waits until it answers. */
export async function startSecondEngine() {
  sweepStaleEngines();
  const seq = counter++;
  const name = `${PREFIX}${process.pid.toString(36)}-${seq.toString(36)}`;
  if (name.length > 13) throw new Error(`second engine name ${name} is too long for its interface names`);
  const n = namesOf(name);
  const net = pickLinkNet(process.pid * 64 + seq);
  const gateway = `${net}.1`;
  const address = `${net}.2`;
  const bridge = `172.31.${(process.pid * 64 + seq) % 256}.1/24`;
  const main = mainAddress();
  const started = Date.now();
  let dockerd: ChildProcess | null = null;
  let stopped = false;
  const onExit = () => removeEngine(n); // a test process that dies without stop(): what it cannot reach now, the next sweep takes
  process.once("exit", onExit);

  const docker = new Dockerode({ socketPath: n.socket });
  const answers = () =>
    docker.ping().then(
      () => true,
      () => false,
    );

  async function stop() {
    if (stopped) return;
    stopped = true;
    process.removeListener("exit", onExit);
    if (dockerd && dockerd.exitCode === null && dockerd.signalCode === null) {
      const containers = await docker.listContainers({ all: true }).catch(() => []);
      await Promise.all(
        containers.map((c) =>
          docker
            .getContainer(c.Id)
            .remove({ force: true, v: true })
            .catch(() => undefined),
        ),
      );
      const exited = new Promise((r) => dockerd!.once("exit", r));
      // dockerd alone (not its process group): it stops its containerd itself, after its containers
      dockerd.kill("SIGTERM");
      await Promise.race([exited, sleep(20_000)]);
    }
    removeEngine(n);
  }

  try {
    run("ip", ["netns", "add", name]);
    run("ip", ["link", "add", n.mainLink, "type", "veth", "peer", "name", n.nsLink, "netns", name]);
    run("ip", ["addr", "add", `${gateway}/24`, "dev", n.mainLink]);
    run("ip", ["link", "set", n.mainLink, "up"]);
    run("ip", ["-n", name, "addr", "add", `${address}/24`, "dev", n.nsLink]);
    run("ip", ["-n", name, "link", "set", n.nsLink, "up"]);
    run("ip", ["-n", name, "link", "set", "lo", "up"]);
    run("ip", ["-n", name, "route", "add", "default", "via", gateway]);

    // Its own configuration file (/etc/docker/daemon.json is the main engine's), and its own identity: the
    // engine ID comes from this key, by default /etc/docker/key.json, the main engine's.
    fs.writeFileSync(n.config, JSON.stringify({ "deprecated-key-path": `${n.dataRoot}/key.json` }));
    const log = fs.openSync(n.log, "a");
    dockerd = spawn(
      "nsenter",
      [
        `--net=${n.netns}`,
        "dockerd",
        "--data-root",
        n.dataRoot,
        "--exec-root",
        n.execRoot,
        "-H",
        `unix://${n.socket}`,
        "--pidfile",
        n.pidfile,
        "--config-file",
        n.config,
        "--bip",
        bridge,
        "--cgroup-parent",
        n.cgroup,
      ],
      { env: { ...process.env, [MARK]: name }, stdio: ["ignore", log, log], detached: true },
    );
    fs.closeSync(log);
    dockerd.unref();
    const deadline = Date.now() + 60_000;
    while (!(await answers())) {
      if (dockerd.exitCode !== null || dockerd.signalCode !== null || Date.now() > deadline) {
        const tail = fs.existsSync(n.log) ? fs.readFileSync(n.log, "utf8").split("\n").slice(-20).join("\n") : "";
        const why = Date.now() > deadline ? "did not answer within 60 s" : "exited";
        throw new Error(`the second dockerd (${name}) ${why}:\n${tail}`);
      }
      await sleep(100);
    }
  } catch (err) {
    await stop();
    throw err;
  }

  /** Runs a command inside the namespace (this machine's files, the namespace's network). */
  function exec(cmd: string[], opts: ExecOptions = {}): Promise<ExecResult> {
    return new Promise((resolve, reject) => {
      // In a process group of its own, so a timeout ends a pipeline's every process (`curl … | sh`).
      const child = spawn("nsenter", [`--net=${n.netns}`, "--", ...cmd], {
        env: { ...process.env, ...opts.env, [MARK]: name },
        stdio: [opts.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
        detached: true,
      });
      let stdout = "";
      let stderr = "";
      child.stdout!.on("data", (d) => (stdout += d));
      child.stderr!.on("data", (d) => (stderr += d));
      const timer = opts.timeoutMs
        ? setTimeout(() => {
            stderr += `\n(killed after ${opts.timeoutMs! / 1000} s)`;
            try {
              process.kill(-child.pid!, "SIGKILL");
            } catch {
              /* ended meanwhile */
            }
          }, opts.timeoutMs)
        : null;
      child.on("error", reject);
      child.on("close", (code) => {
        if (timer) clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
      if (opts.input !== undefined) child.stdin!.end(opts.input);
    });
  }

  /** Starts a long-running process inside the namespace; the engine's stop() ends it if it still runs. */
  function spawnIn(cmd: string[], opts: { env?: Record<string, string>; log?: string } = {}): ChildProcess {
    const out = opts.log ? fs.openSync(opts.log, "a") : "ignore";
    const child = spawn("nsenter", [`--net=${n.netns}`, "--", ...cmd], { env: { ...process.env, ...opts.env, [MARK]: name }, stdio: ["ignore", out, out] });
    if (typeof out === "number") fs.closeSync(out);
    return child;
  }

  return {
    name,
    socket: n.socket,
    /** DOCKER_HOST for the CLI or a process that should use this engine. */
    dockerHost: `unix://${n.socket}`,
    docker,
    /** This machine's end of the link, as seen from the namespace. */
    gateway,
    /** The namespace's address, as seen from this machine. */
    address,
    /** This machine's primary address (the first of `hostname -I`): how a real remote host would reach it. */
    mainAddress: main,
    /** How long start took, from the sweep's end to dockerd answering. */
    startMs: Date.now() - started,
    exec,
    spawn: spawnIn,
    /** A network partition: this machine's end of the link goes down. */
    cut: () => void run("ip", ["link", "set", n.mainLink, "down"]),
    heal: () => void run("ip", ["link", "set", n.mainLink, "up"]),
    /** Copies an image from this machine's engine to this one, as `docker save | docker load`, through the Engine APIs. */
    async loadImage(tag: string, from = new Dockerode()) {
      const tarball = await from.getImage(tag).get();
      await follow(docker, await docker.loadImage(tarball), `loading ${tag} into ${name}`);
    },
    /** The dockerd log's last lines (for failure messages). */
    logTail: (lines = 40) => (fs.existsSync(n.log) ? fs.readFileSync(n.log, "utf8").split("\n").slice(-lines).join("\n") : ""),
    stop,
  };
}
