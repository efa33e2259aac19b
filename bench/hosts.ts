// npm run bench:hosts — a second machine as one of Berth's hosts, measured in one run on this machine. The
// second machine is a second Docker Engine in a network namespace (tests/support/second-engine.ts) that reaches
// Berth at this machine's primary address, as a remote host would; host A is this machine with its agent.
//   enroll_s                  "Add host"'s install command run on the namespace host (sh -c 'curl … | sh', with
//                             only Docker there) → Berth shows the host ONLINE; enroll_script_s: the script alone
//   promote_cross_host_ratio  median Berth ÷ median baseline, 5 of each in one run (after one warm-up of each),
//                             each on a release of its own built and pushed on B beforehand (untimed):
//     berth      promoteRelease of the release live on B (its image pushed to Berth's registry after it went live)
//                to production on A → the deployment LIVE → A's proxy serving that release
//     baseline   docker save of the same image on B | docker load on A + docker run + GET / on the container
//                answering 200 with the release's page (polled every 25 ms); the image is removed from A after
//                each run, so the promote finds only the base layer there, as the baseline does
//   base_layer_mb             the releases share a base layer of this size (BENCH_BASE_MB, 48), on A since the warm-up
//   promote_cross_host_ratio_user_network  the same, against the baseline run on a user-defined network as Berth's
//                             containers are (their environment's); `docker run` takes longer there
//   promote_berth_median_ms / promote_baseline_median_ms, the baseline's phases (baseline_<load|run|ready>_median_ms)
//   and the Berth promote's steps (promote_step_<status>_median_ms)
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Dockerode from "dockerode";
import { resolveTeamContext } from "@/lib/data/context";
import { deployImage, getDeployment, promoteRelease } from "@/lib/data/deployments";
import { addHost, createHost, getHost, updateHostDeploySettings } from "@/lib/data/hosts";
import { createProject, getEnvironment } from "@/lib/data/projects";
import { createService, updateService } from "@/lib/data/services";
import { createTeam } from "@/lib/data/teams";
import { signUp } from "@/lib/data/users";
import { routeId } from "@/lib/deploy/names";
import { createProxy } from "@/workers/agent/proxy/caddy";
import { type BerthRegistry, startBerthRegistry } from "../tests/support/berth-registry";
import { ensureFixtureImage, FIXTURE_IMAGE, removeTestContainers, testLabels } from "../tests/support/fixture-image";
import { type NamespaceRegistry, startNamespaceRegistry } from "../tests/support/namespace-registry";
import { proxyGet } from "../tests/support/proxy-http";
import { httpdDockerfile } from "../tests/support/registry";
import { type ExecResult, type SecondEngine, startSecondEngine } from "../tests/support/second-engine";
import { freePort, startBerth } from "../tests/support/start-berth";
import { getDirect } from "./support/get-direct";

/** Host A's engine: this machine's. */
const docker = new Dockerode();
const RUNS = 5;
/** The size of the releases' shared base layer (BENCH_BASE_MB; 0: the bare fixture image). */
const BASE_MB = Number(process.env.BENCH_BASE_MB ?? 48);
const POLL_MS = 25;
const TIMEOUT_MS = 120_000;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const now = () => performance.timeOrigin + performance.now();
const fmt = (x: number) => x.toFixed(1);

async function until<T>(what: string, fn: () => Promise<T>, ok: (v: T) => boolean, ms = TIMEOUT_MS, every = POLL_MS): Promise<T> {
  const end = now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (now() > end) throw new Error(`${what} did not happen within ${ms / 1000} s`);
    await sleep(every);
  }
}

async function follow(docker: Dockerode, stream: NodeJS.ReadableStream, what: string) {
  const events = await new Promise<{ error?: string; errorDetail?: { message?: string } }[]>((resolve, reject) =>
    docker.modem.followProgress(stream, (err: Error | null, res: { error?: string }[]) => (err ? reject(err) : resolve(res))),
  );
  const failed = events.find((e) => e.error || e.errorDetail);
  if (failed) throw new Error(`${what} failed: ${failed.errorDetail?.message ?? failed.error}`);
}

async function main() {
  const stamp = Date.now().toString(36);
  const made = {
    engine: null as SecondEngine | null,
    own: null as NamespaceRegistry | null,
    registry: null as BerthRegistry | null,
    berth: null as Awaited<ReturnType<typeof startBerth>> | null,
    agent: null as ChildProcess | null,
    teamId: null as string | null,
    services: [] as string[],
    networks: [] as string[],
  };
  let cleaned = false;
  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    const quietly = (p: Promise<unknown>) => p.catch((e) => console.error(`cleanup: ${(e as Error).message}`));
    if (made.agent && made.agent.exitCode === null) {
      const exited = new Promise((r) => made.agent!.once("exit", r));
      made.agent.kill("SIGTERM");
      await Promise.race([exited, sleep(10_000)]);
      if (made.agent.exitCode === null) made.agent.kill("SIGKILL");
    }
    made.berth?.stop();
    await quietly(made.own?.stop() ?? Promise.resolve());
    await quietly(made.engine?.stop() ?? Promise.resolve()); // B: everything on it goes with its engine
    await quietly(made.registry?.stop() ?? Promise.resolve());
    // A: this run's containers, routes, networks and images (release tags, and pulls from Berth's registry,
    // whose repositories start with the team's id).
    for (const id of made.services) {
      for (const c of await docker.listContainers({ all: true, filters: { label: [`berth.service.id=${id}`] } }).catch(() => []))
        await quietly(docker.getContainer(c.Id).remove({ force: true }));
      await quietly(createProxy().removeRoute(routeId(id)));
    }
    for (const img of await docker.listImages().catch(() => [])) {
      const refs = [...(img.RepoTags ?? []), ...(img.RepoDigests ?? [])];
      const ours = refs.filter(
        (r) => made.services.some((id) => r.startsWith(`berth-${id.toLowerCase()}:`)) || (made.teamId && r.includes(`/${made.teamId}/`)),
      );
      for (const r of ours)
        await docker
          .getImage(r)
          .remove()
          .catch(() => {});
    }
    for (const n of made.networks)
      await docker
        .getNetwork(n)
        .remove()
        .catch(() => {});
    await quietly(removeTestContainers(docker));
  };
  for (const sig of ["SIGINT", "SIGTERM"] as const) process.once(sig, () => void cleanup().finally(() => process.exit(130)));

  try {
    await ensureFixtureImage(docker);
    const engine = (made.engine = await startSecondEngine());
    console.error(`second engine ${engine.name} started in ${engine.startMs} ms; this machine is ${engine.mainAddress} from there`);

    // --- Berth, reachable from B at this machine's primary address, with a registry set up as its own (TLS
    // from Berth's CA, Berth's token route as its realm); host A is this machine's agent ---------------------
    const port = await freePort();
    made.registry = await startBerthRegistry({ realm: `http://${engine.mainAddress}:${port}/api/registry/token` });
    process.env.BERTH_PUBLIC_REGISTRY = made.registry.address; // for Berth's processes and this one
    made.berth = await startBerth({ publicAddress: engine.mainAddress, port });
    process.env.BERTH_PUBLIC_URL = made.berth.publicUrl; // the install command is made in this process
    const user = await signUp({ name: "Bench", email: `bench-hosts-${stamp}@example.test`, password: "bench-password-1" });
    const team = await createTeam(user, { name: `Bench hosts ${stamp}` });
    const ctx = await resolveTeamContext(user, team.slug);
    made.teamId = ctx.team.id;
    const hostA = await createHost(ctx, { name: "bench-a" });
    made.agent = spawn(process.execPath, [path.join(process.cwd(), "dist/agent.cjs")], {
      env: { ...process.env, BERTH_AGENT_URL: hostA.agentUrl },
      stdio: "ignore",
    });
    await until(
      "host A online",
      () => getHost(ctx, hostA.id),
      (h) => h.status === "ONLINE",
      30_000,
    );

    // --- enroll_s: the install command on B ---------------------------------------------------------------
    const hostB = await addHost(ctx, { name: "bench-b" });
    const t0 = now();
    // `curl … | sh` ends 0 when curl fails (sh read nothing): an ended script is given 30 s to have enrolled.
    let installed: (ExecResult & { at: number }) | null = null;
    const script = engine
      .exec(["sh", "-c", hostB.install.curl], { env: { DOCKER_HOST: engine.dockerHost }, timeoutMs: TIMEOUT_MS / 2 })
      .then((r) => (installed = { ...r, at: now() }));
    const failed = (r: (ExecResult & { at: number }) | null) =>
      r && (r.code !== 0 || now() - r.at > 30_000) ? `the install command failed (exit ${r.code}) or did not enroll:\n${r.stdout}\n${r.stderr}` : null;
    await until(
      "host B online after its install command",
      async () => (await getHost(ctx, hostB.id)).status === "ONLINE" || Boolean(failed(installed)),
      (done) => done,
    ).catch((e) => {
      throw new Error(`${(e as Error).message}; Berth's output:\n${made.berth?.output().slice(-3000)}`);
    });
    const online = now();
    await script;
    const problem = failed(installed);
    if (problem) throw new Error(problem);
    console.log(`enroll_s=${((online - t0) / 1000).toFixed(2)}`);
    console.log(`enroll_script_s=${((now() - t0) / 1000).toFixed(2)}`);

    // --- a service on B (from a registry of B's own) and its twin in production on A ---------------------
    const own = (made.own = await startNamespaceRegistry(engine));
    // Releases of a real app share a large base (a runtime, libraries) and differ in a small top layer. The base
    // here is BASE_MB of random bytes on the fixture image, built on B once; A gets it with the warm-up
    // promotion (as an earlier release of the service would have brought it). `docker save | docker load` sends
    // it every time; a pull from the registry sends only the layers A lacks.
    const base = `bench-hosts-base:${stamp}`;
    {
      const ctx = fs.mkdtempSync(path.join(os.tmpdir(), "bench-base-"));
      fs.writeFileSync(path.join(ctx, "Dockerfile"), `FROM ${FIXTURE_IMAGE}\nRUN dd if=/dev/urandom of=/base.bin bs=1048576 count=${BASE_MB}\n`);
      if (
        !(await engine.docker
          .getImage(FIXTURE_IMAGE)
          .inspect()
          .catch(() => null))
      )
        await engine.loadImage(FIXTURE_IMAGE);
      await follow(
        engine.docker,
        await engine.docker.buildImage({ context: ctx, src: ["Dockerfile"] }, { t: base, rm: true, forcerm: true }),
        "the base image on B",
      );
      fs.rmSync(ctx, { recursive: true, force: true });
    }
    const releaseDockerfile = (content: string) => httpdDockerfile(content).replace(`FROM ${FIXTURE_IMAGE}`, `FROM ${base}`);
    console.log(`base_layer_mb=${BASE_MB}`);
    // B pulls from its own loopback: its admin allows private networks for pulls users steer. A's service
    // names the same reference (checked on save); A never pulls it: promotion brings the release.
    for (const id of [hostB.id, hostA.id])
      await updateHostDeploySettings(ctx, id, { baseDomain: "localhost", buildConcurrency: "2", allowPrivateNetworks: "on" });
    const project = await createProject(ctx, { name: `bench-hosts-${stamp}` });
    const settings = (image: string, hostId: string) => ({ image, ports: "8080", httpPort: "8080", healthPath: "/", healthTimeoutSec: "30", hostId });
    const repo = `bench-hosts-${stamp}`;
    const contentOf = (i: number) => `release ${i} ${stamp}`;
    const first = await own.push(repo, "r0", releaseDockerfile(contentOf(0)));
    const onB = await createService(ctx, project.slug, "staging", { name: "web", ...settings(first, hostB.id) });
    const onA = await createService(ctx, project.slug, "production", { name: "web", ...settings(first, hostA.id) });
    made.services.push(onB.id, onA.id);
    made.networks.push(`berth-${project.slug}-production`);
    const production = (await getEnvironment(ctx, project.slug, "production")).env;
    const hostnameA = `web.production.${project.slug}.localhost`;

    /** Release i live on B, its image pushed to Berth's registry (untimed). */
    const releaseOnB = async (i: number) => {
      const ref = i === 0 ? first : await own.push(repo, `r${i}`, releaseDockerfile(contentOf(i)));
      await updateService(ctx, onB.id, settings(ref, hostB.id));
      const { id } = await deployImage(ctx, onB.id);
      const d = await until(
        `release ${i} on B`,
        () => getDeployment(ctx, id),
        (d) => ["LIVE", "FAILED", "CANCELLED"].includes(d.status),
      );
      if (d.status !== "LIVE") throw new Error(`release ${i} on B ended ${d.status}: ${d.error}`);
      const pushed = await until(
        `release ${i}'s push to Berth's registry`,
        () => getDeployment(ctx, id),
        (d) => Boolean(d.imageDigest || d.pushError),
        60_000,
        100,
      );
      return { ...pushed, content: `hello ${contentOf(i)}\n` };
    };
    type Release = Awaited<ReturnType<typeof releaseOnB>>;

    // The baseline also runs once per release on a user-defined network, as Berth's containers do (an
    // environment's network: its services find each other by name); Docker takes longer to start a container there.
    const userNetwork = `bench-hosts-net-${stamp}`;
    await docker.createNetwork({ Name: userNetwork, Labels: testLabels() });
    made.networks.push(userNetwork);

    const baselineRun = async (r: Release, network = "bridge") => {
      let container: Dockerode.Container | null = null;
      try {
        const t0 = now();
        await follow(docker, await docker.loadImage(await engine.docker.getImage(r.imageId!).get()), "docker save on B | docker load on A");
        const t1 = now();
        container = await docker.createContainer({ Image: r.imageId!, Labels: testLabels(), HostConfig: { NetworkMode: network } });
        await container.start();
        const ip = (await container.inspect()).NetworkSettings.Networks[network]!.IPAddress;
        const t2 = now();
        const answer = await until(
          `the baseline container at ${ip}:8080 answering`,
          () => getDirect(ip, 8080),
          (a) => a?.status === 200,
        );
        const t3 = now();
        if (answer!.body !== r.content) throw new Error(`the baseline container served ${JSON.stringify(answer!.body)}, not ${JSON.stringify(r.content)}`);
        return { ms: t3 - t0, phases: { load: t1 - t0, run: t2 - t1, ready: t3 - t2 } };
      } finally {
        await container?.remove({ force: true });
        // Untagged, and this run's own content: no other image has this id.
        await docker
          .getImage(r.imageId!)
          .remove({ force: true })
          .catch(() => {});
      }
    };

    const berthRun = async (r: Release) => {
      if (!r.imageDigest) throw new Error(`release ${r.number} was not pushed to Berth's registry: ${r.pushError}`);
      const t0 = now();
      const { id } = await promoteRelease(ctx, r.id, production.id);
      const d = await until(
        "the promotion to A",
        () => getDeployment(ctx, id),
        (d) => ["LIVE", "FAILED", "CANCELLED"].includes(d.status),
      );
      if (d.status !== "LIVE") throw new Error(`the promotion of release ${r.number} to A ended ${d.status}: ${d.error}`);
      const served = await proxyGet(hostnameA);
      const ms = now() - t0;
      if (served.status !== 200 || served.body !== r.content)
        throw new Error(`after the promotion ${hostnameA} answered ${served.status} ${JSON.stringify(served.body)}`);
      // Untimed: A pushes what it runs after it went live too; the same manifest, so the same digest.
      const onA = await until(
        "the promoted release's push",
        () => getDeployment(ctx, id),
        (x) => Boolean(x.imageDigest || x.pushError),
        60_000,
        100,
      );
      if (onA.imageDigest !== r.imageDigest) throw new Error(`the promotion ran ${onA.imageDigest ?? onA.pushError}, not the release's ${r.imageDigest}`);
      return { ms, steps: Object.fromEntries(d.timed.map((t) => [t.status, t.ms ?? 0])) };
    };

    // One warm-up of each, then baseline, Berth, baseline, Berth… each pair on a release of its own.
    const baselineRuns: Awaited<ReturnType<typeof baselineRun>>[] = [];
    const networkRuns: Awaited<ReturnType<typeof baselineRun>>[] = [];
    const berthRuns: Awaited<ReturnType<typeof berthRun>>[] = [];
    let berthProblem: string | null = null;
    for (let i = 0; i <= RUNS; i++) {
      const r = await releaseOnB(i);
      const b = await baselineRun(r);
      const n = await baselineRun(r, userNetwork);
      if (i > 0) baselineRuns.push(b);
      if (i > 0) networkRuns.push(n);
      if (berthProblem) continue;
      try {
        const p = await berthRun(r);
        if (i > 0) berthRuns.push(p);
      } catch (e) {
        berthProblem = (e as Error).message;
      }
    }

    const baseMs = baselineRuns.map((r) => r.ms);
    if (berthProblem) {
      console.log("promote_cross_host_ratio=unmeasured");
      console.error(`the Berth side failed: ${berthProblem}`);
    } else {
      const berthMs = berthRuns.map((r) => r.ms);
      console.log(`promote_cross_host_ratio=${(median(berthMs) / median(baseMs)).toFixed(2)}`);
      const netMs = networkRuns.map((r) => r.ms);
      console.log(`promote_cross_host_ratio_user_network=${(median(berthMs) / median(netMs)).toFixed(2)}`);
      console.log(`promote_baseline_user_network_median_ms=${fmt(median(netMs))}`);
      console.log(`baseline_user_network_run_median_ms=${fmt(median(networkRuns.map((r) => r.phases.run)))}`);
      console.log(`promote_berth_median_ms=${fmt(median(berthMs))}`);
      for (const status of Object.keys(berthRuns[0]!.steps))
        console.log(`promote_step_${status.toLowerCase()}_median_ms=${fmt(median(berthRuns.map((r) => r.steps[status] ?? 0)))}`);
    }
    console.log(`promote_baseline_median_ms=${fmt(median(baseMs))}`);
    for (const phase of ["load", "run", "ready"] as const) console.log(`baseline_${phase}_median_ms=${fmt(median(baselineRuns.map((r) => r.phases[phase])))}`);
    if (berthProblem) process.exitCode = 1;
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
