// Deploying an image-based service on a real host agent, as a deployment like a git one: the container's
// environment equals the resolved configuration exactly, secrets reach Docker without ever sitting in clear
// in Redis, reference errors stop a deploy before it is queued, and a later variable change shows as staged
// until a redeploy applies it (the new container replaces the old one).
import Dockerode from "dockerode";
import { monitorRedis, type RedisMonitor } from "./support/redis-monitor";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { listContainers } from "@/lib/data/containers";
import { deployImage } from "@/lib/data/deployments";
import { containerLogs } from "@/lib/data/host-calls";
import { createHost } from "@/lib/data/hosts";
import { createProject, getEnvironment } from "@/lib/data/projects";
import { resolvedServices } from "@/lib/data/resolved-config";
import { createService } from "@/lib/data/services";
import { setVariable } from "@/lib/data/variables";
import type { TeamContext } from "@/lib/data/context";
import { ForbiddenError, ValidationError } from "@/lib/errors";
import { closeHostCalls } from "@/lib/hosts/call-host";
import { closeAdminRedis } from "@/lib/redis/admin";
import { parseAgentUrl } from "@/workers/agent/config";
import { startAgent } from "@/workers/agent/start";
import { startControlWorker } from "@/workers/control/start";
import { ensureFixtureImage, FIXTURE_IMAGE, removeTestContainers } from "../support/fixture-image";
import { deployImageAndSettle, removeReleaseTags } from "./support/deploy";
import { addMember, makeTeam, uniq } from "./support/factory";
import { waitFor } from "./support/wait";

const docker = new Dockerode();
const SECRET = "s3cr3t-never-in-clear-9f2";
let ctx: TeamContext;
let agent: Awaited<ReturnType<typeof startAgent>>;
let control: ReturnType<typeof startControlWorker>;
let hostId: string;
let monitor: RedisMonitor | undefined;
let seen: string[] = [];
// What Berth's own code logs while this file runs (the control worker and the agent run in-process here).
const logged: string[] = [];
for (const level of ["log", "info", "warn", "error"] as const) {
  const original = console[level].bind(console);
  console[level] = (...args: unknown[]) => {
    logged.push(args.map((a) => (a instanceof Error ? `${a.message} ${a.stack}` : typeof a === "string" ? a : JSON.stringify(a))).join(" "));
    original(...args);
  };
}

beforeAll(async () => {
  await ensureFixtureImage(docker);
  ctx = await makeTeam();
  const host = await createHost(ctx, { name: "deploy-host" });
  hostId = host.id;
  control = startControlWorker();
  agent = await startAgent(parseAgentUrl(host.agentUrl), { log: () => {}, heartbeatMs: 500 });
  await waitFor(
    () => db.host.findUniqueOrThrow({ where: { id: hostId } }),
    (h) => h.status === "ONLINE",
  );
  // Everything written to Redis while this file runs, to look for the secret in clear afterwards.
  monitor = await monitorRedis(process.env.REDIS_URL!);
  seen = monitor.lines;
});

afterAll(async () => {
  monitor?.stop();
  await agent?.stop();
  await control?.close();
  await closeHostCalls();
  await closeAdminRedis();
  // Only what this file made: its own services' containers and its own projects' networks (names and labels
  // of other runs' projects may look the same).
  const services = await db.service.findMany({ where: { environment: { project: { teamId: ctx.team.id } } }, select: { id: true } });
  for (const s of services) {
    for (const c of await docker.listContainers({ all: true, filters: { label: [`berth.service.id=${s.id}`] } }))
      await docker
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => {});
  }
  await removeReleaseTags(services.map((s) => s.id));
  const envs = await db.environment.findMany({ where: { project: { teamId: ctx.team.id } }, select: { slug: true, project: { select: { slug: true } } } });
  for (const e of envs)
    await docker
      .getNetwork(`berth-${e.project.slug}-${e.slug}`)
      .remove()
      .catch(() => {});
  await removeTestContainers(docker);
});

async function deployed(serviceId: string) {
  const r = await deployImageAndSettle(ctx, serviceId);
  expect(r.deployment.error).toBeNull();
  expect(r.deployment.status).toBe("LIVE");
  return { containerId: r.containerId! };
}

async function containerEnv(serviceId: string) {
  const live = await db.service.findUniqueOrThrow({ where: { id: serviceId }, select: { liveDeploymentId: true } });
  const [c] = await docker.listContainers({ all: true, filters: { label: [`berth.deployment.id=${live.liveDeploymentId}`] } });
  const info = await docker.getContainer(c!.Id).inspect();
  const image = await docker.getImage(info.Image).inspect();
  const fromImage = new Set(image.Config.Env ?? []);
  return {
    info,
    env: Object.fromEntries((info.Config.Env ?? []).filter((e) => !fromImage.has(e)).map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)])),
  };
}

describe("deploying a service", () => {
  it("gives the container exactly the resolved configuration, labelled and in its environment's network", async () => {
    const project = await createProject(ctx, { name: uniq("deploy-test") });
    const { env } = await getEnvironment(ctx, project.slug, "staging");
    await setVariable(ctx, { scope: "TEAM" }, { key: "REGION", value: "eu-west" });
    await setVariable(ctx, { scope: "PROJECT", projectId: project.id }, { key: "DB_HOST", value: "db.internal" });
    await setVariable(ctx, { scope: "ENVIRONMENT", environmentId: env.id }, { key: "DB_PASSWORD", value: SECRET, secret: true });
    await setVariable(
      ctx,
      { scope: "ENVIRONMENT", environmentId: env.id },
      { key: "DATABASE_URL", value: "postgres://app:${{ DB_PASSWORD }}@${{ DB_HOST }}/${{ team.REGION }}" },
    );
    await setVariable(ctx, { scope: "ENVIRONMENT", environmentId: env.id }, { key: "LITERAL", value: "$${{ NOT_A_REF }}" });
    const svc = await createService(ctx, project.slug, "staging", { name: "api", image: FIXTURE_IMAGE, command: "sleep\n3600", hostId });
    await setVariable(ctx, { scope: "SERVICE", serviceId: svc.id }, { key: "DB_HOST", value: "api-db.internal" });

    await deployed(svc.id);
    const { info, env: got } = await containerEnv(svc.id);
    expect(got).toEqual({
      REGION: "eu-west",
      DB_HOST: "api-db.internal",
      DB_PASSWORD: SECRET,
      DATABASE_URL: `postgres://app:${SECRET}@api-db.internal/eu-west`,
      LITERAL: "${{ NOT_A_REF }}",
    });
    expect(info.Config.Labels).toMatchObject({ "berth.project": project.slug, "berth.environment": "staging", "berth.service": "api" });
    expect(Object.keys(info.NetworkSettings.Networks)).toEqual([`berth-${project.slug}-staging`]);
    expect(info.Config.Cmd).toEqual(["sleep", "3600"]);

    // What the page shows is what the container got, with the secret masked.
    const [view] = await resolvedServices(ctx, { id: env.id, projectId: project.id });
    expect(Object.fromEntries(view!.vars.map((v) => [v.key, v.value]))).toEqual({ ...got, DB_PASSWORD: null, DATABASE_URL: null });
    expect(view!.pending).toBe(false);

    // Not in clear anywhere in Redis traffic: not in job payloads, not in the sealed spec.
    expect(seen.some((l) => l.includes("deployment.start"))).toBe(true);
    expect(seen.join("\n")).not.toContain(SECRET);
    expect(logged.join("\n")).not.toContain(SECRET);

    // A change is staged until a redeploy applies it.
    await setVariable(ctx, { scope: "PROJECT", projectId: project.id }, { key: "FEATURE_X", value: "on" });
    const [staged] = await resolvedServices(ctx, { id: env.id, projectId: project.id });
    expect(staged!.pending).toBe(true);
    expect(staged!.staged).toEqual({ added: ["FEATURE_X"], removed: [], changed: [] });
    await deployed(svc.id);
    expect((await containerEnv(svc.id)).env.FEATURE_X).toBe("on");
    expect((await resolvedServices(ctx, { id: env.id, projectId: project.id }))[0]!.pending).toBe(false);
    // The old one is retired once the new one is live (`sleep` ignores SIGTERM: Docker waits its 10 s).
    const containers = await waitFor(
      () => docker.listContainers({ all: true, filters: { label: [`berth.service.id=${svc.id}`] } }),
      (cs) => cs.length === 1,
      20_000,
    );
    expect(containers).toHaveLength(1);

    // A container that prints its secret: the console's log view masks it.
    const talker = await createService(ctx, project.slug, "staging", {
      name: "talker",
      image: FIXTURE_IMAGE,
      command: "sh\n-c\necho password is $DB_PASSWORD; sleep 3600",
      hostId,
    });
    const { containerId } = await deployed(talker.id);
    await waitFor(
      () => listContainers(ctx, hostId).then((cs) => cs.items.find((c) => c.dockerId === containerId)),
      (c) => c?.state === "running",
    );
    const { lines } = await waitFor(
      () => containerLogs(ctx, hostId, containerId, { tail: 10, timestamps: false }),
      (r) => r.lines.length > 0,
    );
    expect(lines.map((l) => l.text)).toEqual(["password is ••••••"]);
    expect(logged.join("\n")).not.toContain(SECRET);
  }, 90_000);

  it("refuses a configuration with a missing reference or a cycle, naming the chain", async () => {
    const project = await createProject(ctx, { name: uniq("broken-config") });
    const { env } = await getEnvironment(ctx, project.slug, "development");
    await setVariable(ctx, { scope: "ENVIRONMENT", environmentId: env.id }, { key: "A", value: "${{ B }}", force: true });
    await setVariable(ctx, { scope: "ENVIRONMENT", environmentId: env.id }, { key: "B", value: "${{ A }}", force: true });
    const svc = await createService(ctx, project.slug, "development", { name: "web", image: FIXTURE_IMAGE, hostId });
    await expect(deployImage(ctx, svc.id)).rejects.toThrow(/A → B → A|cycle/);
    expect(await db.deployment.count({ where: { serviceId: svc.id } })).toBe(0);
    expect(await docker.listContainers({ all: true, filters: { label: [`berth.service.id=${svc.id}`] } })).toHaveLength(0);
  });

  it("lets only admins deploy to a protected environment, and refuses host paths as volumes", async () => {
    const dev = await addMember(ctx, "DEVELOPER");
    const project = await createProject(ctx, { name: uniq("prod-guard") });
    const svc = await createService(ctx, project.slug, "production", { name: "api", image: FIXTURE_IMAGE, hostId });
    await expect(deployImage(dev, svc.id)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(createService(dev, project.slug, "production", { name: "x", image: FIXTURE_IMAGE })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(createService(ctx, project.slug, "staging", { name: "bad", image: FIXTURE_IMAGE, volumes: "/etc:/host-etc" })).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(createService(ctx, project.slug, "staging", { name: "bad", image: "not an image!" })).rejects.toBeInstanceOf(ValidationError);
  });
});
