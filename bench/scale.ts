// npm run bench:scale — one control plane (the built web app and the control worker, on the test database and
// Redis) under many simulated hosts and signed-in viewers, measured at BENCH_FIRST hosts (100; `name_100=value`)
// and again at BENCH_HOSTS (1,000; `name=value`), each host with BENCH_CONTAINERS (50) containers of which 1 %
// change state per minute, and BENCH_VIEWERS (50) viewers holding live pages open. After a warm-up, BENCH_RUNS (3)
// steady windows of BENCH_WINDOW_S (60) seconds are measured back to back, and each figure printed is the median
// of the windows' (one window's p95 moves by a third between runs of the same code; api_p95_ms_runs and
// status_p95_ms_runs list each window's). BENCH_WEBS and BENCH_WORKERS (1 each) say how
// many web processes and control workers Berth runs; control_cpu_pct and control_rss_mb add them all up.
//
// The hosts (bench/support/sim-*.ts) are added through the JSON API with an admin token and enrolled at
// /api/agent/enroll with their install command's one-time token, as the agent image is; each then speaks the
// real protocol with its own Redis login over TLS, using the agent's own reporter, handshake and job
// definitions: a heartbeat every 4 s, a snapshot on start and every 30 s, a `container` report per state
// change, and answers to every host job from memory (results sealed to the caller, sealed specs taken and
// opened). They run in two child processes, whose CPU is not the control plane's (sim_cpu_pct says what they
// took from this 2-core machine). The viewers (bench/support/scale-viewers.ts) are members with the viewer
// role, several sessions each, spread over the hosts list, a host's containers page, a container page (which
// also polls logs and stats every 2 s) and a service page with its deployments; a push the page can patch
// from costs nothing, any other re-reads the page as router.refresh does (RSC), coalesced 50 ms.
//
//   api_p95_ms              p95 of every timed read below, all together, while the load runs; one read at a
//                           time, in turn, 200 ms apart. Per read: api_p95_ms_<what>_<json|page> for
//                           what = hosts (the host list), host (a host's containers), container (one container;
//                           its page asks the host for details), deployments (a service's deployments); json:
//                           the /api/v1 operation with a Bearer token; page: the rendered HTML with a session
//   status_p95_ms           a container's state change (the moment the simulator hands its `container` report to
//                           the agent's reporter, which XADDs it) → a viewer receiving the push that names that
//                           change (its `upserted` row with the new state); with messages that carry no rows,
//                           the first `containers` push for that host after it. Over every (change, viewer) pair
//                           in the window where the viewer's page shows the change's host (its stream is scoped
//                           to the hosts it shows, as the browser's is: other pages are not sent it);
//                           status_p50_ms too, status_samples, and status_missed (pairs without a push in 15 s);
//                           status_published_p95_ms: the part until the control worker published it (the rest
//                           is the web process's fan-out and the viewer's stream); status_stored_p95_ms: the
//                           part until the simulator's report was in its stream (its own, and Redis's)
//   control_cpu_pct         CPU time of the web process and the control worker, with their whole process trees
//                           (/proc), over the window, in % of one core (the machine has 2: 200 is all of it)
//   control_rss_mb          their resident memory, median of samples every 5 s through the window
//   pg_writes_per_s         rows inserted + updated + deleted per second in the test database (pg_stat_database)
//   redis_ops_per_s         commands per second Redis ran (INFO total_commands_processed), everyone's: the
//                           hosts', the control plane's
//   sim_cpu_pct             CPU the simulator's processes took in the window, same unit as control_cpu_pct;
//                           bench_cpu_pct: this process's (the viewers, the timed reads); pg_cpu_pct:
//                           PostgreSQL's (every `postgres` process); redis_cpu_pct: Redis's (INFO cpu);
//                           machine_cpu_pct: the whole machine's busy time (/proc/stat), so what is left is idle
//   viewer_refreshes_per_s  page re-reads the viewers made per second (0 when every push patches)
//   hosts_online            hosts ONLINE when the window ended (of hosts_enrolled)
//   containers_page_2000_ms median of 7 renders of the containers page of one extra host with 2,000 containers
//                           (HTML, a session), under the full load; containers_json_2000_ms: its API read
// It runs on a database of its own, made fresh for the run (scripts/bench.mjs), so only its hosts are measured.
// Everything made is removed at the end and on Ctrl-C: the simulator's processes, Berth, the team (its hosts'
// Redis logins and keys go with it) and the keys under the bench's queue prefix.
import { type ChildProcess, fork } from "node:child_process";
import path from "node:path";
import { Redis } from "ioredis";
import { teamOverview } from "@/lib/data/teams";
import { createProject } from "@/lib/data/projects";
import { createService } from "@/lib/data/services";
import type { EnrollmentCredentials } from "@/lib/hosts/enrollment";
import { startBerth } from "../tests/support/start-berth";
import { signIn } from "./support/client";
import type { SimEvent } from "./support/sim-host";
import type { SimCommand, SimMessage } from "./support/sim-process";
import { measureWindow } from "./support/scale-probe";
import { addAndEnroll, api, type BenchTeam, inParallel, makeTeam, PASSWORD, removeTeam } from "./support/scale-setup";
import { type LivePush, startViewer, type Viewer, type ViewerPage } from "./support/scale-viewers";

const num = (name: string, dflt: number) => {
  const v = Number(process.env[name] ?? dflt);
  if (!Number.isFinite(v) || v < 0) throw new Error(`${name} must be a number`);
  return v;
};
const HOSTS = num("BENCH_HOSTS", 1000);
const FIRST = Math.min(num("BENCH_FIRST", 100), HOSTS);
const CONTAINERS = num("BENCH_CONTAINERS", 50);
const VIEWERS = num("BENCH_VIEWERS", 50);
const WINDOW_S = num("BENCH_WINDOW_S", 60);
/** Web processes and control workers Berth runs (1 each; several web processes sit behind the front in Caddy). */
const WEBS = num("BENCH_WEBS", 1);
const WORKERS = num("BENCH_WORKERS", 1);
const WARMUP_S = num("BENCH_WARMUP_S", 20);
/** Windows measured back to back at each size; every figure printed is the median of theirs. */
const RUNS = Math.max(1, Math.round(num("BENCH_RUNS", 3)));
const BIG = 2000;
const SIMS = 2;
const VIEWER_USERS = Math.max(1, Math.ceil(VIEWERS / 10));
const CHANGE_RATE = 0.01; // of each host's containers, per minute
const MISSED_AFTER_MS = 15_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const pct = (xs: number[], p: number) => (xs.length ? sorted(xs)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]! : Number.NaN);
const median = (xs: number[]) => (xs.length ? sorted(xs)[Math.floor(xs.length / 2)]! : Number.NaN);
const now = () => performance.timeOrigin + performance.now();
const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : "unmeasured");
const elapsed = (t0: number) => `${((now() - t0) / 1000).toFixed(0)} s`;

/**
 * Changes reported by the simulator, each matched once per viewer whose page shows its host (its stream's scope)
 * with the first push after it that names it.
 * Matched a moment later (the simulator's word of a change comes over IPC in batches, and may arrive after the
 * push): pushes are kept for MISSED_AFTER_MS.
 */
function createChangeTracker() {
  type Change = SimEvent & { seen: Set<number> };
  type Push = { viewer: number; at: number; published: number; rows?: { dockerId: string; state: string }[]; removedOnly: boolean };
  let changes: Change[] = [];
  const pushes = new Map<string, Push[]>();
  let from = Number.POSITIVE_INFINITY;
  let until = Number.POSITIVE_INFINITY;
  let latencies: number[] = [];
  let publishing: number[] = []; // the part before Berth published the push
  let storing: number[] = []; // the part before the simulator's report was in its stream (the simulator's)
  let missed = 0;
  let scopes: (Set<string> | null)[] = [];
  const audience = (hostId: string) => scopes.filter((s) => !s || s.has(hostId)).length;
  const names = (p: Push, c: Change) => (p.rows ? p.rows.some((u) => u.dockerId === c.dockerId && u.state === c.state) : !p.removedOnly); // no rows: the first push counts
  return {
    add(e: SimEvent) {
      if (e.at >= from && e.at < until) changes.push({ ...e, seen: new Set() });
    },
    onPush(viewer: number, m: LivePush, at: number) {
      if (m.kind !== "containers" || !m.hostId || at < from) return;
      let list = pushes.get(m.hostId);
      if (!list) pushes.set(m.hostId, (list = []));
      list.push({ viewer, at, published: m.at ?? Number.NaN, rows: m.upserted, removedOnly: !m.upserted && Boolean(m.removed) });
    },
    /** Matches what can be matched; a change older than MISSED_AFTER_MS counts the viewers it never reached. */
    sweep() {
      const cutoff = now() - MISSED_AFTER_MS;
      changes = changes.filter((c) => {
        for (const p of pushes.get(c.hostId) ?? []) {
          if (p.at < c.at || c.seen.has(p.viewer) || !names(p, c)) continue;
          c.seen.add(p.viewer);
          latencies.push(p.at - c.at);
          publishing.push(p.published - c.at);
          storing.push(c.stored - c.at);
        }
        const n = audience(c.hostId);
        if (c.seen.size >= n) return false;
        if (c.at >= cutoff) return true;
        missed += n - c.seen.size;
        return false;
      });
      for (const [host, list] of pushes) {
        const keep = list.filter((p) => p.at >= cutoff - 5000);
        if (keep.length) pushes.set(host, keep);
        else pushes.delete(host);
      }
    },
    running: () => from !== Number.POSITIVE_INFINITY,
    start(viewerScopes: (string[] | undefined)[]) {
      from = now();
      until = Number.POSITIVE_INFINITY;
      changes = [];
      pushes.clear();
      latencies = [];
      publishing = [];
      storing = [];
      missed = 0;
      scopes = viewerScopes.map((s) => (s ? new Set(s) : null));
    },
    /** Stops taking new changes; pushes are still taken for the ones taken (see `finish`). */
    close() {
      until = now();
    },
    finish() {
      this.sweep();
      const out = { latencies, publishing, storing, missed: missed + changes.reduce((n, c) => n + audience(c.hostId) - c.seen.size, 0) };
      from = Number.POSITIVE_INFINITY;
      changes = [];
      pushes.clear();
      return out;
    },
  };
}

type Read = { what: string; url: string; headers: Record<string, string> };

/** Times `reads` one at a time, in turn, until stopped. */
function startSampler(reads: Read[]) {
  const times = new Map<string, number[]>(reads.map((r) => [r.what, []]));
  const errors = new Map<string, string>();
  let running = true;
  const done = (async () => {
    for (let i = 0; running; i++) {
      const r = reads[i % reads.length]!;
      const t0 = performance.now();
      try {
        const res = await fetch(r.url, { headers: r.headers });
        await res.arrayBuffer();
        if (res.ok) times.get(r.what)!.push(performance.now() - t0);
        else errors.set(r.what, `HTTP ${res.status}`);
      } catch (e) {
        errors.set(r.what, (e as Error).message);
      }
      await sleep(200);
    }
  })();
  return {
    async stop() {
      running = false;
      await done;
      return { times, errors };
    },
  };
}

async function main() {
  const t0 = now();
  const stamp = Date.now().toString(36);
  const prefix = process.env.BERTH_QUEUE_PREFIX;
  const databaseUrl = process.env.DATABASE_URL;
  if (!prefix || !databaseUrl || !process.env.REDIS_URL) throw new Error("run through `npm run bench:scale` (it sets the test environment and a queue prefix)");
  const redis = new Redis(process.env.REDIS_URL, { maxRetriesPerRequest: null });
  const made = {
    berth: null as Awaited<ReturnType<typeof startBerth>> | null,
    team: null as BenchTeam | null,
    sims: [] as ChildProcess[],
    viewers: [] as Viewer[],
  };

  let cleaned = false;
  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    const quietly = (what: string, p: Promise<unknown>) => p.catch((e) => console.error(`cleanup: ${what}: ${(e as Error).message}`));
    await Promise.all(made.viewers.map((v) => v.stop()));
    await Promise.all(
      made.sims.map(async (s) => {
        if (s.exitCode !== null || s.signalCode !== null) return;
        const exited = new Promise((r) => s.once("exit", r));
        s.send({ type: "stop" } satisfies SimCommand);
        await Promise.race([exited, sleep(15_000)]);
        if (s.exitCode === null && s.signalCode === null) s.kill("SIGKILL");
      }),
    );
    made.berth?.stop();
    if (made.team) await quietly("removing the team", removeTeam(made.team));
    await quietly(
      "removing the prefix's keys",
      (async () => {
        let cursor = "0";
        do {
          const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
          cursor = next;
          if (keys.length) await redis.unlink(...keys);
        } while (cursor !== "0");
      })(),
    );
    redis.disconnect();
  };
  for (const sig of ["SIGINT", "SIGTERM"] as const) process.once(sig, () => void cleanup().finally(() => process.exit(130)));

  try {
    const berth = (made.berth = await startBerth({ webs: WEBS, workers: WORKERS }));
    const pids = berth.pids?.();
    if (!pids?.web || !pids.worker) throw new Error("startBerth gave no process ids");
    const control = [...pids.webs, ...pids.workers].filter((p): p is number => p !== undefined);
    const base = berth.baseUrl;
    const team = (made.team = await makeTeam(stamp, VIEWER_USERS));
    console.error(`Berth at ${base}, team ${team.slug} (${elapsed(t0)})`);

    // --- the simulator's processes ----------------------------------------------------------------------
    const tracker = createChangeTracker();
    const started = new Map<ChildProcess, number>();
    for (let i = 0; i < SIMS; i++) {
      const child = fork(path.join(process.cwd(), "bench/support/sim-process.ts"), [], {
        execArgv: ["--import", "tsx", "--max-old-space-size=2048"],
        stdio: ["ignore", "inherit", "inherit", "ipc"],
      });
      child.on("message", (m: SimMessage) => {
        if (m.type === "events") for (const e of m.events) tracker.add(e);
        else if (m.type === "started") started.set(child, m.hosts);
      });
      child.on("exit", (code) => !cleaned && console.error(`a simulator process ended (${code})`));
      made.sims.push(child);
    }
    const simPids = () => made.sims.map((s) => s.pid!).filter(Boolean);
    const hosts: EnrollmentCredentials[] = [];
    const waitOnline = async (want: number) => {
      const until = now() + 180_000;
      let online = 0;
      while (now() < until) {
        online = (await teamOverview(team.ctx)).hostsOnline;
        if (online >= want) break;
        await sleep(2000);
      }
      console.error(`${online} of ${want} hosts online (${elapsed(t0)})`);
    };
    const enroll = async (upTo: number) => {
      const t = now();
      const names = Array.from({ length: upTo - hosts.length }, (_, i) => `sim-${String(hosts.length + i).padStart(4, "0")}`);
      const creds = await inParallel(names, 6, (name) => addAndEnroll(base, team, name));
      for (const [s, sim] of made.sims.entries())
        sim.send({ type: "hosts", hosts: creds.filter((_, i) => i % SIMS === s).map((c) => ({ creds: c, containers: CONTAINERS })) } satisfies SimCommand);
      hosts.push(...creds);
      console.error(`${hosts.length} hosts enrolled (${((now() - t) / 1000).toFixed(1)} s for ${creds.length}); waiting for them online`);
      await waitOnline(hosts.length);
    };
    await enroll(FIRST);
    for (const s of made.sims) s.send({ type: "rate", perMinute: CHANGE_RATE } satisfies SimCommand);

    // --- a service with deployments, on the first host --------------------------------------------------
    const first = hosts[0]!;
    const project = await createProject(team.ctx, { name: `scale-${stamp}` });
    const service = await createService(team.ctx, project.slug, "production", { name: "web", image: "nginx:1.27", ports: "80", hostId: first.hostId });
    for (let i = 0; i < 3; i++) {
      const d = await api<{ id: string }>(base, team.token, "POST", `/teams/${team.slug}/services/${service.id}/deployments`, {});
      const until = now() + 30_000;
      let status = "";
      while (now() < until && !["LIVE", "FAILED", "CANCELLED"].includes(status)) {
        await sleep(300);
        status = (await api<{ status: string }>(base, team.token, "GET", `/teams/${team.slug}/deployments/${d.id}`)).status;
      }
      if (status !== "LIVE") console.error(`warning: deployment ${i + 1} ended ${status || "nowhere"} within 30 s`);
    }

    // --- viewers and the timed reads --------------------------------------------------------------------
    const cookies: string[] = [];
    for (let i = 0; i < VIEWERS + 1; i++) cookies.push(await signIn(base, team.viewerEmails[i % team.viewerEmails.length]!, PASSWORD));
    /** A container the host lists, or null (a drowned control plane may not have applied its snapshot). */
    const firstContainer = async (hostId: string) => {
      const body = JSON.stringify(await api<unknown>(base, team.token, "GET", `/teams/${team.slug}/hosts/${hostId}/containers`));
      return /"dockerId":"([0-9a-f]{64})"/.exec(body)?.[1] ?? null;
    };
    const sampled = hosts[1] ?? first;
    const sampledContainer = await firstContainer(sampled.hostId);
    if (!sampledContainer) throw new Error(`no container listed on host ${sampled.hostId}`);
    const t = `/t/${team.slug}`;
    const servicePage = `${t}/projects/${project.slug}/production/services/web`;
    const pagesFor = async (): Promise<ViewerPage[]> => {
      // The hosts page's first page, as it lists them (the JSON list is the same query).
      const firstPage = (await api<{ hosts: { id: string }[] }>(base, team.token, "GET", `/teams/${team.slug}/hosts`)).hosts.map((x) => x.id);
      const pages: ViewerPage[] = [];
      for (let i = 0; i < VIEWERS; i++) {
        const h = hosts[Math.floor((i / VIEWERS) * hosts.length)]!.hostId;
        switch (i % 4) {
          case 0:
            pages.push({ what: "hosts", path: `${t}/hosts`, scope: firstPage });
            break;
          case 1:
            pages.push({ what: "host", path: `${t}/hosts/${h}`, hostId: h, scope: [h] });
            break;
          case 2: {
            const c = await firstContainer(h);
            const [ch, cc] = c ? [h, c] : [sampled.hostId, sampledContainer];
            const api = `/api/v1/teams/${team.slug}/hosts/${ch}/containers/${cc}`;
            pages.push({
              what: "container",
              path: `${t}/hosts/${ch}/containers/${cc}`,
              hostId: ch,
              scope: [ch],
              polls: [`${api}/logs?tail=200&timestamps=1`, `${api}/stats`],
            });
            break;
          }
          default:
            pages.push({ what: "deployments", path: servicePage, serviceId: service.id, scope: [] });
        }
      }
      return pages;
    };
    const bearer = { authorization: `Bearer ${team.token}` };
    const session = { cookie: cookies[VIEWERS]! };
    const reads: Read[] = [
      { what: "hosts_json", url: `${base}/api/v1/teams/${team.slug}/hosts`, headers: bearer },
      { what: "hosts_page", url: `${base}${t}/hosts`, headers: session },
      { what: "host_json", url: `${base}/api/v1/teams/${team.slug}/hosts/${sampled.hostId}/containers`, headers: bearer },
      { what: "host_page", url: `${base}${t}/hosts/${sampled.hostId}`, headers: session },
      { what: "container_json", url: `${base}/api/v1/teams/${team.slug}/hosts/${sampled.hostId}/containers/${sampledContainer}`, headers: bearer },
      { what: "container_page", url: `${base}${t}/hosts/${sampled.hostId}/containers/${sampledContainer}`, headers: session },
      { what: "deployments_json", url: `${base}/api/v1/teams/${team.slug}/services/${service.id}/deployments`, headers: bearer },
      { what: "deployments_page", url: `${base}${servicePage}`, headers: session },
    ];
    // The first render of each route compiles nothing (a production build) but warms its caches.
    for (const r of reads) await fetch(r.url, { headers: r.headers }).then((res) => res.arrayBuffer());

    const sweeper = setInterval(() => tracker.sweep(), 1000);
    const phase = async (suffix: string, warmupS: number) => {
      const pages = await pagesFor();
      const seen0: Record<string, number> = {};
      made.viewers = pages.map((p, i) =>
        startViewer(
          base,
          cookies[i]!,
          p,
          (m, at) => {
            tracker.onPush(i, m, at);
            if (i === 0 && tracker.running()) seen0[m.kind ?? "?"] = (seen0[m.kind ?? "?"] ?? 0) + 1;
          },
          team.slug,
        ),
      );
      console.error(`${pages.length} viewers open; warming up ${warmupS} s`);
      await sleep(warmupS * 1000);
      const runs: Map<string, number>[] = [];
      for (let r = 0; r < RUNS; r++) {
        const before = made.viewers.map((v) => v.stats.refreshes);
        tracker.start(pages.map((p) => p.scope));
        const sampler = startSampler(reads);
        const ownCpu = process.cpuUsage();
        const window = await measureWindow({ seconds: WINDOW_S, control, sim: simPids(), databaseUrl, redis });
        const { times, errors } = await sampler.stop();
        const own = process.cpuUsage(ownCpu);
        tracker.close();
        await sleep(MISSED_AFTER_MS); // pushes for the window's last changes
        const { latencies, publishing, storing, missed } = tracker.finish();
        const refreshes = made.viewers.reduce((n, v, i) => n + v.stats.refreshes - before[i]!, 0);
        const run = new Map<string, number>([
          ["api_p95_ms", pct([...times.values()].flat(), 95)],
          ["status_p95_ms", pct(latencies, 95)],
          ["control_cpu_pct", window.controlCpuPct],
          ["control_rss_mb", window.controlRssMb],
          ["pg_writes_per_s", window.pgWritesPerS],
          ["redis_ops_per_s", window.redisOpsPerS],
          ...[...times].map(([what, xs]): [string, number] => [`api_p95_ms_${what}`, pct(xs, 95)]),
          ["status_p50_ms", median(latencies)],
          ["status_published_p95_ms", pct(publishing, 95)],
          ["status_stored_p95_ms", pct(storing.filter(Number.isFinite), 95)],
          ["status_samples", latencies.length],
          ["status_missed", missed],
          ["sim_cpu_pct", window.simCpuPct],
          ["bench_cpu_pct", ((own.user + own.system) / 1e6 / WINDOW_S) * 100],
          ["pg_cpu_pct", window.pgCpuPct],
          ["redis_cpu_pct", window.redisCpuPct],
          ["machine_cpu_pct", window.machineCpuPct],
          ["viewer_refreshes_per_s", refreshes / WINDOW_S],
          ["hosts_online", (await teamOverview(team.ctx)).hostsOnline],
        ]);
        runs.push(run);
        console.error(`run ${r + 1} of ${RUNS}: api_p95_ms ${f1(run.get("api_p95_ms")!)}, status_p95_ms ${f1(run.get("status_p95_ms")!)}`);
        for (const [what, e] of errors) console.error(`warning: ${what} failed in run ${r + 1}: ${e}`);
      }

      // Each figure is the median of the runs' (status_samples and status_missed: their sums).
      const out = (name: string, value: string) => console.log(`${name}${suffix}=${value}`);
      const summed = new Set(["status_samples", "status_missed"]);
      for (const name of runs[0]!.keys()) {
        const xs = runs.map((run) => run.get(name)!);
        if (summed.has(name)) out(name, String(xs.reduce((a, b) => a + b, 0)));
        else if (name === "hosts_online") out(name, String(Math.min(...xs)));
        else out(name, f1(median(xs)));
        if (RUNS > 1 && (name === "api_p95_ms" || name === "status_p95_ms")) out(`${name}_runs`, xs.map(f1).join("/"));
      }
      out("hosts_enrolled", String(hosts.length));
      const windows = RUNS * (WINDOW_S + MISSED_AFTER_MS / 1000);
      const kinds = Object.entries(seen0)
        .map(([k, n]) => `${k} ${(n / windows).toFixed(1)}/s`)
        .join(", ");
      console.error(`one viewer's pushes in the windows: ${kinds || "none"}`);
      const refreshErrors = made.viewers.reduce((n, v) => n + v.stats.refreshErrors + v.stats.pollErrors, 0);
      const failing = made.viewers.find((v) => v.stats.lastError)?.stats.lastError;
      if (refreshErrors) console.error(`warning: ${refreshErrors} viewer re-reads or polls failed, e.g. ${failing}`);
      await Promise.all(made.viewers.map((v) => v.stop()));
      made.viewers = [];
    };

    await phase(HOSTS > FIRST ? `_${FIRST}` : "", WARMUP_S);
    if (HOSTS > FIRST) {
      await enroll(HOSTS);
      await phase("", WARMUP_S + 10);
    }

    // --- one more host, with 2,000 containers, under the full load (viewers back on) ------------------------
    const big = await addAndEnroll(base, team, "sim-big");
    made.sims[0]!.send({ type: "hosts", hosts: [{ creds: big, containers: BIG }] } satisfies SimCommand);
    made.viewers = (await pagesFor()).map((p, i) => startViewer(base, cookies[i]!, p, () => {}, team.slug));
    const bigUntil = now() + 120_000;
    let bigReported = false;
    while (now() < bigUntil && !bigReported) {
      bigReported = Boolean((await api<{ lastSnapshotAt: string | null }>(base, team.token, "GET", `/teams/${team.slug}/hosts/${big.hostId}`)).lastSnapshotAt);
      if (!bigReported) await sleep(1000);
    }
    console.error(`the host with ${BIG} containers ${bigReported ? "reported its snapshot" : "had no snapshot applied within 120 s"} (${elapsed(t0)})`);
    await sleep(5000);
    const timeIt = async (url: string, headers: Record<string, string>) => {
      const ms: number[] = [];
      let bytes = 0;
      for (let i = 0; i < 8; i++) {
        const t1 = performance.now();
        const res = await fetch(url, { headers });
        bytes = (await res.arrayBuffer()).byteLength;
        if (!res.ok) throw new Error(`${url}: ${res.status}`);
        if (i > 0) ms.push(performance.now() - t1); // the first warms
      }
      console.error(`${url}: ${bytes} bytes`);
      return median(ms);
    };
    const bigId = big.hostId;
    const timeBig = (url: string, headers: Record<string, string>) => (bigReported ? timeIt(url, headers).then(f1) : Promise.resolve("unmeasured"));
    console.log(`containers_page_2000_ms=${await timeBig(`${base}${t}/hosts/${bigId}`, session)}`);
    console.log(`containers_json_2000_ms=${await timeBig(`${base}/api/v1/teams/${team.slug}/hosts/${bigId}/containers`, bearer)}`);
    clearInterval(sweeper);
    console.error(`done in ${elapsed(t0)}; cleaning up`);
  } finally {
    await cleanup();
  }
}

main()
  .then(() => process.exit(process.exitCode ?? 0))
  .catch((e) => {
    console.error(e);
    process.exit(1);
  });
