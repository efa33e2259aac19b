// The Berth side of the fault tests, imported once the fault world's environment is set (lib/db reads
// DATABASE_URL when it is first imported): a team, its host in the world's namespace, a git service, and
// the check that everything converged — every deployment ended, the service answers with the release
// Postgres names, and the host keeps nothing else: no other container, tag, network or route.
import http from "node:http";
import Dockerode from "dockerode";
import { db } from "@/lib/db";
import type { TeamContext } from "@/lib/data/context";
import { deployFromGit } from "@/lib/data/deployments";
import { createGitService } from "@/lib/data/git-services";
import { createHost } from "@/lib/data/hosts";
import { createProject } from "@/lib/data/projects";
import { routeId } from "@/lib/deploy/names";
import { isTerminal } from "@/lib/deploy/states";
import { closeHostCalls } from "@/lib/hosts/call-host";
import { closeQueues } from "@/lib/jobs/enqueue";
import { closeAdminRedis } from "@/lib/redis/admin";
import { createProxy } from "@/workers/agent/proxy/caddy";
import { ensureFixtureImage } from "../../support/fixture-image";
import { HTTPD_DOCKERFILE, makeBareRepo } from "../../support/git-repo";
import { makeTeam, uniq } from "./factory";
import type { FaultWorld } from "./fault-world";

const DEFAULT_NETWORKS = new Set(["bridge", "host", "none"]);

export async function setUpBerth(world: FaultWorld) {
  const docker = new Dockerode({ socketPath: world.dockerSock });
  const proxy = createProxy({ adminUrl: world.caddyAdmin });
  await ensureFixtureImage(docker);
  const repo = await makeBareRepo("berth-faults-repo-");
  const bodies = new Map<string, string>(); // commit → what that release serves
  let releases = 0;
  /** Commits a new release ("release N", or with `extra` files) and returns what it will serve. */
  async function commitRelease(extra: Record<string, string> = {}) {
    const body = `release ${++releases}\n`;
    bodies.set(await repo.commit({ Dockerfile: HTTPD_DOCKERFILE, "site/index.html": body, ...extra }, body.trim()), body);
    return body;
  }
  await commitRelease();

  const ctx: TeamContext = await makeTeam();
  const host = await createHost(ctx, { name: "faulty" });
  world.setAgentUrl(host.agentUrl);
  const project = await createProject(ctx, { name: uniq("faults") });
  const service = await createGitService(ctx, project.slug, "production", {
    name: "web",
    gitUrl: repo.url,
    gitBranch: "main",
    httpPort: "8080",
    healthPath: "/",
    healthTimeoutSec: "30",
    hostId: host.id,
  });
  const hostname = `web.production.${project.slug}.localhost`;

  /** GET / through the host's Caddy with the service's hostname. */
  function get(path = "/"): Promise<{ status: number; body: string }> {
    return new Promise((resolve) => {
      const req = http.request({ ...world.proxyAddress, path, headers: { host: hostname }, timeout: 3000, agent: false }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => (body += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        res.on("error", () => resolve({ status: 0, body: "" }));
      });
      req.on("timeout", () => req.destroy(new Error("timeout")));
      req.on("error", (e) => resolve({ status: 0, body: e.message }));
      req.end();
    });
  }

  const deployment = (id: string) => db.deployment.findUniqueOrThrow({ where: { id } });

  /** Everything that disagrees with "converged"; empty once the host serves what Postgres says, and only that. */
  async function disagreements(): Promise<string[]> {
    const out: string[] = [];
    const deployments = await db.deployment.findMany({ where: { serviceId: service.id }, orderBy: { number: "asc" } });
    for (const d of deployments) if (!isTerminal(d.status)) out.push(`#${d.number} is still ${d.status}`);
    const s = await db.service.findUniqueOrThrow({ where: { id: service.id }, select: { liveDeploymentId: true, servingProblem: true } });
    const live = deployments.find((d) => d.id === s.liveDeploymentId);
    if (!live) return [...out, "no release is live"];
    const expected = bodies.get(live.commitSha ?? "");
    const answer = await get();
    if (answer.status !== 200 || answer.body !== expected)
      out.push(`the URL answered ${answer.status} ${JSON.stringify(answer.body)}, not #${live.number}'s ${JSON.stringify(expected)}`);
    if (s.servingProblem) out.push(`the service is shown as not serving: ${s.servingProblem}`);

    const containers = await docker.listContainers({ all: true });
    const ok = containers.filter(
      (c) => c.Labels["berth.deployment.id"] === live.id && c.State === "running" && c.Names[0] === `/${containersName(project.slug)}`,
    );
    if (ok.length !== 1) out.push(`expected one running container of #${live.number} under its stable name, found ${ok.length}`);
    for (const c of containers.filter((c) => !ok.includes(c)))
      out.push(`leftover container ${c.Names[0]} (${c.State}, deployment ${c.Labels["berth.deployment.id"] ?? "none"})`);

    // Release tags of the releases kept for rollback; a build tag only on an image such a release keeps.
    const kept = new Set(deployments.filter((d) => d.status === "LIVE" && !d.imagePrunedAt && d.imageTag).map((d) => d.imageTag!));
    const images = await docker.listImages();
    for (const img of images) {
      const tags = (img.RepoTags ?? []).filter((t) => /^berth-[a-z0-9]+:/.test(t));
      const keptHere = tags.some((t) => kept.has(t));
      for (const t of tags) if (/:\d+$/.test(t) ? !kept.has(t) : !keptHere) out.push(`leftover tag ${t}`);
    }
    for (const k of kept) if (!images.some((i) => i.RepoTags?.includes(k))) out.push(`release tag ${k} is missing`);

    const networks = (await docker.listNetworks()).filter((n) => !DEFAULT_NETWORKS.has(n.Name));
    const wanted = `berth-${project.slug}-production`;
    if (networks.filter((n) => n.Name === wanted).length !== 1)
      out.push(`expected one network ${wanted}, found ${networks.filter((n) => n.Name === wanted).length}`);
    for (const n of networks.filter((n) => n.Name !== wanted)) out.push(`leftover network ${n.Name}`);

    const routes = await proxy.listRoutes().catch(() => []);
    const ip = ok[0]?.NetworkSettings.Networks[wanted]?.IPAddress;
    const mine = routes.filter((r) => r.id === routeId(service.id));
    if (mine.length !== 1) out.push(`expected one route for the service, found ${mine.length}`);
    else if (ip && mine[0]!.upstream !== `${ip}:8080`) out.push(`the route points at ${mine[0]!.upstream}, the container is at ${ip}:8080`);
    for (const r of routes.filter((r) => !mine.includes(r))) out.push(`leftover route ${r.id}`);
    return out;
  }

  return {
    ctx,
    docker,
    hostId: host.id,
    serviceId: service.id,
    commitRelease,
    get,
    deployment,
    /** Queues a deployment of the branch's tip. */
    deploy: async () => (await deployFromGit(ctx, service.id)).id,
    async waitForStatus(id: string, ok: (status: string) => boolean, ms = 60_000) {
      const end = Date.now() + ms;
      for (;;) {
        const d = await deployment(id).catch(() => null); // PostgreSQL may be restarting
        if (d && ok(d.status)) return d;
        if (Date.now() > end) throw new Error(`deployment ${id} is ${d?.status ?? "unreadable"} after ${ms / 1000} s`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    /** Waits until nothing disagrees (or `ms` pass) and returns what still does. */
    async converge(ms = 45_000): Promise<string[]> {
      const end = Date.now() + ms;
      for (;;) {
        const left = await disagreements().catch((e) => [`checking failed: ${(e as Error).message}`]);
        if (left.length === 0 || Date.now() > end) return left;
        await new Promise((r) => setTimeout(r, 250));
      }
    },
    servingProblem: async () => (await db.service.findUniqueOrThrow({ where: { id: service.id }, select: { servingProblem: true } })).servingProblem,
    hostOnline: async () => (await db.host.findUniqueOrThrow({ where: { id: host.id } })).status === "ONLINE",
    async close() {
      await closeHostCalls();
      await closeQueues();
      await closeAdminRedis();
      await db.$disconnect();
      repo.remove();
    },
  };
}

function containersName(projectSlug: string) {
  return `berth-${projectSlug}-production-web`;
}
