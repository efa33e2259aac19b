// npm run bench:deploy — a one-click git deploy through Berth against the same deploy done by hand, on the
// same repository and a warm layer cache, in one run: one warm-up of each, then 5 runs of each, interleaved.
// Before every run a small change to site/index.html is committed (outside the timed window).
// Two repositories, each measured this way:
//   app      a web app whose build compiles its sources (a CPU-bound RUN step after COPY, about 1.5 s,
//            rebuilt on every change like any compile step); its figures are printed unprefixed
//   minimal  only COPY + CMD (a build of about 0.2 s): Berth's fixed cost per deploy shows most here;
//            its figures are printed with the prefix minimal_
//   deploy_ratio                         median Berth ÷ median baseline
//   berth_median_ms / _min_ms / _max_ms  POST …/services/<id>/deployments → GET …/deployments/<id> says LIVE
//                                        (read after each push on the team's live stream, as a browser does);
//                                        the service's URL through the proxy must then serve the new content
//   baseline_median_ms / _min_ms / _max_ms  git clone --depth 1 + docker build + docker run + GET / on the
//                                        container's address answering 200 (polled every 25 ms)
//   step_<status>_median_ms              each step of Berth's deployments, from the GET's `timed` array
//   berth_outside_steps_median_ms        Berth's time outside those steps: the POST before the deployment's row
//                                        exists, and the LIVE report reaching the poller
//   berth_old_stop_median_ms             the previous release's container: its stop's first kill → its removal
//   berth_old_gone_after_live_median_ms  that removal relative to LIVE being seen (negative: inside the window);
//                                        each Berth run waits, untimed, for it before the next run starts
//   baseline_<clone|build|run|ready>_median_ms  the baseline's phases (run includes docker inspect for the address)
// Then redeploys of a commit already built (a configuration change, a retry), again one warm-up of each and 5
// of each interleaved, with no commit in between: Berth reuses the image this host built (nothing cloned or
// built), the baseline runs the same script (its build all cached layers).
//   redeploy_ratio                       median Berth redeploy ÷ median baseline redeploy
//   redeploy_berth_median_ms / redeploy_baseline_median_ms, and the Berth redeploy's steps
//   (redeploy_step_<status>_median_ms) and the baseline's phases (redeploy_baseline_<phase>_median_ms)
import { execFile, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import Dockerode from "dockerode";
import { resolveTeamContext } from "@/lib/data/context";
import { imageRepository, routeId } from "@/lib/deploy/names";
import { createGitService } from "@/lib/data/git-services";
import { createHost, getHost } from "@/lib/data/hosts";
import { createProject } from "@/lib/data/projects";
import { createTeam } from "@/lib/data/teams";
import { signUp } from "@/lib/data/users";
import { createProxy } from "@/workers/agent/proxy/caddy";
import { ensureFixtureImage, removeTestContainers, testLabelArgs } from "../tests/support/fixture-image";
import { HTTPD_DOCKERFILE, makeBareRepo } from "../tests/support/git-repo";
import { proxyGet } from "../tests/support/proxy-http";
import { startBerth } from "../tests/support/start-berth";
import { followLive, signIn } from "./support/client";
import { getDirect } from "./support/get-direct";

/** The app repository's Dockerfile: the fixture web server plus a compile-like step over the sources. */
const APP_DOCKERFILE = HTTPD_DOCKERFILE.replace(
  "COPY site/ /www/\n",
  "COPY site/ /www/\nRUN i=0; while [ $i -lt 120000 ]; do i=$((i+1)); done; cat /www/index.html > /www/built.txt\n",
);

// The fixture repository is file://, which Berth refuses unless this is set in each of its processes (the
// web app validating the service, the agent cloning); startBerth and the agent inherit this environment.
process.env.BERTH_ALLOW_LOCAL_GIT = "1";

const run = promisify(execFile);
const docker = new Dockerode();
const RUNS = 5;
const POLL_MS = 25;
const DEPLOY_TIMEOUT_MS = 120_000;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const now = () => performance.timeOrigin + performance.now();

/** Counts the team's "deployment" pushes; `after(n, ms)` resolves once there were more than n (or after ms). */
async function deploymentPushes(baseUrl: string, slug: string, cookie: string) {
  let wake: (() => void)[] = [];
  const state = { count: 0 };
  const stop = await followLive(baseUrl, slug, cookie, (push) => {
    if (push.kind !== "deployment") return;
    state.count++;
    const w = wake;
    wake = [];
    for (const f of w) f();
  });
  return {
    get count() {
      return state.count;
    },
    after(n: number, ms: number) {
      if (state.count > n) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const t = setTimeout(resolve, ms);
        wake.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    },
    stop,
  };
}

type Timed = { status: string; ms: number | null; startedAt: string };
type DeploymentView = { status: string; error: string | null; timed: Timed[]; finishedAt: string | null };
type ContainerEvent = { action: string; id: string; at: number };

type Workload = { name: string; dockerfile: string };
const WORKLOADS: Workload[] = [
  { name: "app", dockerfile: APP_DOCKERFILE },
  { name: "minimal", dockerfile: HTTPD_DOCKERFILE },
];

async function main() {
  const stamp = Date.now().toString(36);
  const made = {
    berth: null as Awaited<ReturnType<typeof startBerth>> | null,
    agent: null as ChildProcess | null,
    repos: [] as Awaited<ReturnType<typeof makeBareRepo>>[],
    services: [] as { id: string; network: string }[],
    network: null as string | null,
    tags: new Set<string>(),
    dirs: new Set<string>(),
    events: null as NodeJS.ReadableStream | null,
    unsubscribe: null as (() => void) | null,
  };
  let cleaned = false;
  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    const quietly = (p: Promise<unknown>) => p.catch((e) => console.error(`cleanup: ${(e as Error).message}`));
    (made.events as unknown as { destroy?: () => void } | null)?.destroy?.();
    made.unsubscribe?.();
    if (made.agent && made.agent.exitCode === null) {
      const exited = new Promise((r) => made.agent!.once("exit", r));
      made.agent.kill("SIGTERM");
      await Promise.race([exited, sleep(10_000)]);
      if (made.agent.exitCode === null) made.agent.kill("SIGKILL");
    }
    made.berth?.stop();
    for (const { id, network } of made.services) {
      const containers = await docker.listContainers({ all: true, filters: { label: [`berth.service.id=${id}`] } }).catch(() => []);
      for (const c of containers) await quietly(docker.getContainer(c.Id).remove({ force: true }));
      // Its own tags only: by id, a forced removal would take every tag of an identical build elsewhere too.
      const images = await docker.listImages({ filters: { reference: [`${imageRepository(id)}:*`] } }).catch(() => []);
      const tags = images.flatMap((img) => (img.RepoTags ?? []).filter((t) => t.startsWith(`${imageRepository(id)}:`)));
      for (const tag of tags) await quietly(docker.getImage(tag).remove());
      await docker
        .getNetwork(network)
        .remove()
        .catch(() => {});
      await quietly(createProxy().removeRoute(routeId(id)));
    }
    await quietly(removeTestContainers(docker));
    for (const tag of made.tags) await run("docker", ["rmi", "-f", tag]).catch(() => {});
    if (made.network) await quietly(run("docker", ["network", "rm", made.network]));
    for (const dir of made.dirs) fs.rmSync(dir, { recursive: true, force: true });
    for (const r of made.repos) r.remove();
  };
  for (const sig of ["SIGINT", "SIGTERM"] as const) process.once(sig, () => void cleanup().finally(() => process.exit(130)));

  try {
    await ensureFixtureImage(docker);

    // --- Berth: web app, control worker, one host with its agent ---------------------------------------
    const berth = (made.berth = await startBerth());
    const password = "bench-password-1";
    const user = await signUp({ name: "Bench", email: `bench-deploy-${stamp}@example.test`, password });
    const team = await createTeam(user, { name: `Bench ${stamp}` });
    const ctx = await resolveTeamContext(user, team.slug);
    const host = await createHost(ctx, { name: "bench-host" });
    made.agent = spawn(process.execPath, [path.join(process.cwd(), "dist/agent.cjs")], {
      env: { ...process.env, BERTH_AGENT_URL: host.agentUrl },
      stdio: "ignore",
    });
    const online = Date.now() + 30_000;
    while ((await getHost(ctx, host.id)).status !== "ONLINE") {
      if (Date.now() > online) throw new Error("the host's agent did not come online within 30 s");
      await sleep(100);
    }
    const project = await createProject(ctx, { name: `bench-${stamp}` });
    const env = "staging";
    const cookie = await signIn(berth.baseUrl, user.email, password);
    const api = `${berth.baseUrl}/api/v1/teams/${team.slug}`;
    // Like a browser: learn of each step from the team's live stream, then read the deployment once.
    const pushes = await deploymentPushes(berth.baseUrl, team.slug, cookie);
    made.unsubscribe = pushes.stop;
    const network = `berth-bench-${stamp}`;
    await run("docker", ["network", "create", ...testLabelArgs(), network]);
    made.network = network;

    // Docker events of Berth's containers: when a previous release's container is stopped and removed.
    const events: (ContainerEvent & { service: string })[] = [];
    made.events = (await docker.getEvents({
      filters: { type: ["container"], label: ["berth.service.id"], event: ["start", "kill", "destroy", "rename"] },
    })) as NodeJS.ReadableStream;
    made.events.on("data", (chunk: Buffer) => {
      for (const line of chunk.toString().split("\n").filter(Boolean)) {
        const e = JSON.parse(line) as { Action: string; id: string; timeNano: number; Actor?: { Attributes?: Record<string, string> } };
        events.push({ action: e.Action, id: e.id, at: e.timeNano / 1e6, service: e.Actor?.Attributes?.["berth.service.id"] ?? "" });
      }
    });

    let change = 0;
    let baselineN = 0;
    const measure = async (w: Workload) => {
      const repo = await makeBareRepo(`berth-bench-${w.name}-`);
      made.repos.push(repo);
      await repo.commit({ Dockerfile: w.dockerfile, "site/index.html": "first\n" }, "first");
      const service = await createGitService(ctx, project.slug, env, {
        name: w.name,
        gitUrl: repo.url,
        gitBranch: "main",
        httpPort: "8080",
        healthPath: "/",
        hostId: host.id,
      });
      made.services.push({ id: service.id, network: `berth-${project.slug}-${env}` });
      const hostname = `${w.name}.${env}.${project.slug}.localhost`;
      const nextContent = async (side: string) => {
        const content = `release ${++change} (${side}) ${stamp}\n`;
        await repo.commit({ "site/index.html": content }, `change ${change}`);
        current = content;
        return content;
      };
      const serviceContainers = () => docker.listContainers({ all: true, filters: { label: [`berth.service.id=${service.id}`] } });
      let current = "first\n";
      /** A deploy through Berth's API; `change`: of a new commit, else of the branch as it is (built before). */
      const berthRun = async (change = true) => {
        const content = change ? await nextContent("berth") : current;
        const seen = events.length;
        const t0 = now();
        const res = await fetch(`${api}/services/${service.id}/deployments`, {
          method: "POST",
          headers: { cookie, "content-type": "application/json" },
          body: "{}",
        });
        if (res.status !== 201) throw new Error(`deploy: ${res.status} ${await res.text()}`);
        const { id } = (await res.json()) as { id: string };
        let view: DeploymentView;
        for (;;) {
          const seenPushes = pushes.count;
          const r = await fetch(`${api}/deployments/${id}`, { headers: { cookie } });
          if (!r.ok) throw new Error(`deployment ${id}: ${r.status} ${await r.text()}`);
          view = (await r.json()) as DeploymentView;
          if (view.status === "LIVE") break;
          if (view.status === "FAILED" || view.status === "CANCELLED") throw new Error(`deployment ${id} ended ${view.status}: ${view.error}`);
          if (now() - t0 > DEPLOY_TIMEOUT_MS) throw new Error(`deployment ${id} was still ${view.status} after ${DEPLOY_TIMEOUT_MS / 1000} s`);
          await pushes.after(seenPushes, 1000);
        }
        const live = now();
        const ms = live - t0;
        const served = await proxyGet(hostname);
        if (served.status !== 200 || served.body !== content) {
          throw new Error(
            `after deployment ${id} went live, ${hostname} answered ${served.status} ${JSON.stringify(served.body)}, not ${JSON.stringify(content)}`,
          );
        }
        // Outside the timed window: wait until the previous release's container is gone, so that every run
        // starts from one live container and the baseline never runs beside a retiring one.
        const settled = now() + 30_000;
        while ((await serviceContainers()).length > 1) {
          if (now() > settled) throw new Error(`the service still had more than one container 30 s after deployment ${id} went live`);
          await sleep(POLL_MS);
        }
        await sleep(100); // the last Docker events reach the stream
        const mine = events.slice(seen).filter((e) => e.service === service.id);
        const started = new Set(mine.filter((e) => e.action === "start").map((e) => e.id));
        const kill = mine.find((e) => e.action === "kill" && !started.has(e.id));
        const destroy = kill && mine.find((e) => e.action === "destroy" && e.id === kill.id);
        return {
          ms,
          steps: Object.fromEntries(view.timed.map((t) => [t.status, t.ms ?? 0])),
          outside: ms - view.timed.reduce((sum, t) => sum + (t.ms ?? 0), 0),
          retire: kill && destroy ? { stop: destroy.at - kill.at, goneAfterLive: destroy.at - live } : null,
        };
      };

      const baselineRun = async (change = true) => {
        const content = change ? await nextContent("baseline") : current;
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "berth-bench-clone-"));
        made.dirs.add(dir);
        const tag = `berth-bench-${stamp}:${++baselineN}`;
        made.tags.add(tag);
        let container = "";
        try {
          const t0 = now();
          await run("git", ["clone", "--depth", "1", "--branch", "main", "--", repo.url, dir]);
          const t1 = now();
          await run("docker", ["build", "-t", tag, dir]);
          const t2 = now();
          container = (await run("docker", ["run", "-d", "--network", network, ...testLabelArgs(), tag])).stdout.trim();
          const ip = (await run("docker", ["inspect", "-f", `{{(index .NetworkSettings.Networks "${network}").IPAddress}}`, container])).stdout.trim();
          const t3 = now();
          let answer: { status: number; body: string } | null;
          while ((answer = await getDirect(ip, 8080))?.status !== 200) {
            if (now() - t0 > DEPLOY_TIMEOUT_MS) throw new Error(`the baseline container at ${ip}:8080 did not answer 200 within ${DEPLOY_TIMEOUT_MS / 1000} s`);
            await sleep(POLL_MS);
          }
          const t4 = now();
          if (answer!.body !== content) throw new Error(`the baseline container served ${JSON.stringify(answer!.body)}, not ${JSON.stringify(content)}`);
          return { ms: t4 - t0, phases: { clone: t1 - t0, build: t2 - t1, run: t3 - t2, ready: t4 - t3 } };
        } finally {
          if (container) await run("docker", ["rm", "-f", container]);
          await run("docker", ["rmi", "-f", tag]).catch(() => {});
          made.tags.delete(tag);
          fs.rmSync(dir, { recursive: true, force: true });
          made.dirs.delete(dir);
        }
      };

      // One warm-up of each, then A, B, A, B…
      await berthRun();
      await baselineRun();
      const berthRuns: Awaited<ReturnType<typeof berthRun>>[] = [];
      const baselineRuns: Awaited<ReturnType<typeof baselineRun>>[] = [];
      for (let i = 0; i < RUNS; i++) {
        berthRuns.push(await berthRun());
        baselineRuns.push(await baselineRun());
      }

      const prefix = w.name === "app" ? "" : `${w.name}_`;
      const berthMs = berthRuns.map((r) => r.ms);
      const baseMs = baselineRuns.map((r) => r.ms);
      const fmt = (x: number) => x.toFixed(1);
      console.log(`${prefix}deploy_ratio=${(median(berthMs) / median(baseMs)).toFixed(2)}`);
      console.log(`${prefix}berth_median_ms=${fmt(median(berthMs))}`);
      console.log(`${prefix}berth_min_ms=${fmt(Math.min(...berthMs))}`);
      console.log(`${prefix}berth_max_ms=${fmt(Math.max(...berthMs))}`);
      console.log(`${prefix}baseline_median_ms=${fmt(median(baseMs))}`);
      console.log(`${prefix}baseline_min_ms=${fmt(Math.min(...baseMs))}`);
      console.log(`${prefix}baseline_max_ms=${fmt(Math.max(...baseMs))}`);
      for (const status of Object.keys(berthRuns[0]!.steps)) {
        console.log(`${prefix}step_${status.toLowerCase()}_median_ms=${fmt(median(berthRuns.map((r) => r.steps[status] ?? 0)))}`);
      }
      console.log(`${prefix}berth_outside_steps_median_ms=${fmt(median(berthRuns.map((r) => r.outside)))}`);
      const retires = berthRuns.flatMap((r) => (r.retire ? [r.retire] : []));
      if (retires.length < berthRuns.length)
        console.error(`warning (${w.name}): ${berthRuns.length - retires.length} runs showed no retirement of the previous container`);
      if (retires.length) {
        console.log(`${prefix}berth_old_stop_median_ms=${fmt(median(retires.map((r) => r.stop)))}`);
        console.log(`${prefix}berth_old_gone_after_live_median_ms=${fmt(median(retires.map((r) => r.goneAfterLive)))}`);
      }
      for (const phase of ["clone", "build", "run", "ready"] as const) {
        console.log(`${prefix}baseline_${phase}_median_ms=${fmt(median(baselineRuns.map((r) => r.phases[phase])))}`);
      }

      // Redeploys of the branch as it is: the warm-up of Berth builds the last commit, the rest reuse it.
      await berthRun(false);
      await baselineRun(false);
      const berthRedeploys: Awaited<ReturnType<typeof berthRun>>[] = [];
      const baselineRedeploys: Awaited<ReturnType<typeof baselineRun>>[] = [];
      for (let i = 0; i < RUNS; i++) {
        berthRedeploys.push(await berthRun(false));
        baselineRedeploys.push(await baselineRun(false));
      }
      const rebuilt = berthRedeploys.filter((r) => "BUILDING" in r.steps).length;
      if (rebuilt) throw new Error(`${rebuilt} of ${RUNS} redeploys of a commit already built built it again`);
      const redeployMs = berthRedeploys.map((r) => r.ms);
      const baseRedeployMs = baselineRedeploys.map((r) => r.ms);
      console.log(`${prefix}redeploy_ratio=${(median(redeployMs) / median(baseRedeployMs)).toFixed(2)}`);
      console.log(`${prefix}redeploy_berth_median_ms=${fmt(median(redeployMs))}`);
      console.log(`${prefix}redeploy_baseline_median_ms=${fmt(median(baseRedeployMs))}`);
      for (const status of Object.keys(berthRedeploys[0]!.steps)) {
        console.log(`${prefix}redeploy_step_${status.toLowerCase()}_median_ms=${fmt(median(berthRedeploys.map((r) => r.steps[status] ?? 0)))}`);
      }
      console.log(`${prefix}redeploy_berth_outside_steps_median_ms=${fmt(median(berthRedeploys.map((r) => r.outside)))}`);
      for (const phase of ["clone", "build", "run", "ready"] as const) {
        console.log(`${prefix}redeploy_baseline_${phase}_median_ms=${fmt(median(baselineRedeploys.map((r) => r.phases[phase])))}`);
      }
    };

    for (const w of WORKLOADS) await measure(w);
  } finally {
    await cleanup();
  }
  process.exit(0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
