// Named volumes are namespaced per environment on the host: services of one environment share a volume by
// its name, while a development service cannot mount production's, not even by typing its Docker name.
import Dockerode from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import type { TeamContext } from "@/lib/data/context";
import { createHost } from "@/lib/data/hosts";
import { createProject, getEnvironment } from "@/lib/data/projects";
import { createService, listServices } from "@/lib/data/services";
import { ValidationError } from "@/lib/errors";
import { closeHostCalls } from "@/lib/hosts/call-host";
import { closeAdminRedis } from "@/lib/redis/admin";
import { parseAgentUrl } from "@/workers/agent/config";
import { startAgent } from "@/workers/agent/start";
import { startControlWorker } from "@/workers/control/start";
import { ensureFixtureImage, FIXTURE_IMAGE } from "../support/fixture-image";
import { makeTeam, uniq } from "./support/factory";
import { waitFor } from "./support/wait";
import { deployImageAndSettle, removeReleaseTags } from "./support/deploy";

const docker = new Dockerode();
let ctx: TeamContext;
let hostId: string;
let agent: Awaited<ReturnType<typeof startAgent>>;
let control: ReturnType<typeof startControlWorker>;
let project: { id: string; slug: string };
const envIds: Record<string, string> = {};

beforeAll(async () => {
  await ensureFixtureImage(docker);
  ctx = await makeTeam();
  const host = await createHost(ctx, { name: "volume-host" });
  hostId = host.id;
  control = startControlWorker();
  agent = await startAgent(parseAgentUrl(host.agentUrl), { log: () => {}, heartbeatMs: 500 });
  await waitFor(
    () => db.host.findUniqueOrThrow({ where: { id: hostId } }),
    (h) => h.status === "ONLINE",
  );
  project = await createProject(ctx, { name: uniq("volumes") });
  for (const env of ["development", "production"]) envIds[env] = (await getEnvironment(ctx, project.slug, env)).env.id;
}, 60_000);

afterAll(async () => {
  await agent?.stop();
  await control?.close();
  const ours = await db.service.findMany({ where: { environment: { projectId: project.id } }, select: { id: true } });
  for (const s of ours) {
    for (const c of await docker.listContainers({ all: true, filters: { label: [`berth.service.id=${s.id}`] } }))
      await docker
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => {});
  }
  await removeReleaseTags(ours.map((s) => s.id));
  const { Volumes } = await docker.listVolumes();
  for (const v of Volumes ?? [])
    if (Object.values(envIds).some((id) => v.Name.startsWith(`berth-${id}-`)))
      await docker
        .getVolume(v.Name)
        .remove()
        .catch(() => {});
  for (const env of Object.keys(envIds))
    await docker
      .getNetwork(`berth-${project.slug}-${env}`)
      .remove()
      .catch(() => {});
  await closeHostCalls();
  await closeAdminRedis();
});

/** Runs a shell line in a new service of `env` with `volumes`; returns the service id and its container. */
async function run(env: string, name: string, volumes: string, line: string) {
  const svc = await createService(ctx, project.slug, env, { name, image: FIXTURE_IMAGE, command: `sh\n-c\n${line}; sleep 3600`, volumes, hostId });
  const { containerId } = await deployImageAndSettle(ctx, svc.id);
  if (!containerId) throw new Error(`${name} did not go live`);
  return { id: svc.id, container: docker.getContainer(containerId) };
}

async function output(container: Dockerode.Container, until: RegExp): Promise<string> {
  return waitFor(
    async () => ((await container.logs({ stdout: true, stderr: true })) as unknown as Buffer).toString("latin1"),
    (text) => until.test(text),
    15_000,
    100,
  );
}

describe("named volumes", () => {
  it("are Docker volumes of their environment: shared within it, out of reach from another", async () => {
    const writer = await run("production", "db", "data:/data", "echo production-data > /data/file && echo written");
    const mounts = (await writer.container.inspect()).Mounts;
    expect(mounts).toMatchObject([{ Type: "volume", Name: `berth-${envIds.production}-data`, Destination: "/data" }]);
    expect(await output(writer.container, /written/)).toMatch(/written/);

    // Another service of production names the same volume: the same data.
    const reader = await run("production", "reader", "data:/data:ro", "cat /data/file 2>&1 || echo no-file");
    expect(await output(reader.container, /production-data|no-file/)).toMatch(/production-data/);
    expect((await reader.container.inspect()).Mounts).toMatchObject([{ Name: `berth-${envIds.production}-data`, RW: false }]);

    // Development: the same name is its own volume, and production's Docker name is just another name.
    const dev = await run("development", "db", "data:/data", "cat /data/file 2>&1 || echo no-file");
    expect(await output(dev.container, /production-data|no-file/)).toMatch(/no-file/);
    expect((await dev.container.inspect()).Mounts).toMatchObject([{ Name: `berth-${envIds.development}-data` }]);
    const sneaky = await run("development", "sneaky", `berth-${envIds.production}-data:/data`, "cat /data/file 2>&1 || echo no-file");
    expect(await output(sneaky.container, /production-data|no-file/)).toMatch(/no-file/);
    expect((await sneaky.container.inspect()).Mounts).toMatchObject([{ Name: `berth-${envIds.development}-berth-${envIds.production}-data` }]);

    // The console shows each volume's Docker name.
    const listed = await listServices(ctx, envIds.production!);
    expect(listed.find((s) => s.name === "reader")?.dockerVolumes).toEqual([
      { source: "data", target: "/data", readOnly: true, dockerName: `berth-${envIds.production}-data` },
    ]);
  }, 90_000);

  it("cannot be host paths, for any role", async () => {
    for (const volumes of ["/etc:/host-etc", "/var/run/docker.sock:/var/run/docker.sock", "./data:/data", "../x:/x", "~/x:/x"]) {
      await expect(
        createService(ctx, project.slug, "development", { name: uniq("bind"), image: FIXTURE_IMAGE, volumes, hostId }),
        volumes,
      ).rejects.toBeInstanceOf(ValidationError);
    }
  });
});
