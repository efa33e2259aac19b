// A host agent against the real Docker Engine and Redis, with the control worker persisting its reports
// to Postgres: what the docker CLI does shows up in Berth, and what Berth does happens to real containers.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import Dockerode from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listContainers } from "@/lib/data/containers";
import { actOnContainer, containerLogs, revealContainerEnv } from "@/lib/data/host-calls";
import { createHost, getHost, listHosts } from "@/lib/data/hosts";
import type { TeamContext } from "@/lib/data/context";
import { ForbiddenError, NotFoundError } from "@/lib/errors";
import { closeHostCalls } from "@/lib/hosts/call-host";
import { closeAdminRedis } from "@/lib/redis/admin";
import { parseAgentUrl } from "@/workers/agent/config";
import { startAgent } from "@/workers/agent/start";
import { startControlWorker } from "@/workers/control/start";
import { ensureFixtureImage, FIXTURE_IMAGE, removeTestContainers, testLabelArgs } from "../support/fixture-image";
import { addMember, makeTeam, uniq } from "./support/factory";
import { waitFor } from "./support/wait";

const run = promisify(execFile);
const docker = new Dockerode();
process.env.BERTH_HOST_OFFLINE_AFTER_MS = "2000";

let ctx: TeamContext;
let hostId: string;
let agentUrl: string;
let agent: Awaited<ReturnType<typeof startAgent>>;
let control: ReturnType<typeof startControlWorker>;
const quiet = { log: () => {}, heartbeatMs: 500 };

async function dockerRun(name: string, ...cmd: string[]) {
  const { stdout } = await run("docker", ["run", "-d", "--name", name, ...testLabelArgs(), "--stop-timeout", "1", FIXTURE_IMAGE, ...cmd]);
  return stdout.trim();
}
const stateOf = async (id: string) => (await docker.getContainer(id).inspect()).State.Status;
const rowOf = async (id: string) => (await listContainers(ctx, hostId)).items.find((c) => c.dockerId === id);

beforeAll(async () => {
  await ensureFixtureImage(docker);
  ctx = await makeTeam();
  const host = await createHost(ctx, { name: "agent-test" });
  hostId = host.id;
  agentUrl = host.agentUrl;
  control = startControlWorker();
  agent = await startAgent(parseAgentUrl(agentUrl), quiet);
});

afterAll(async () => {
  await agent?.stop();
  await control?.close();
  await closeHostCalls();
  await closeAdminRedis();
  await removeTestContainers(docker);
});

describe("host agent", () => {
  it("comes online with the engine's facts", async () => {
    const host = await waitFor(
      () => getHost(ctx, hostId),
      (h) => h.status === "ONLINE" && h.dockerVersion !== null,
    );
    expect(host.status).toBe("ONLINE");
    expect(host.dockerVersion).toMatch(/^\d+\.\d+/);
    expect(host.apiVersion).toMatch(/^1\.\d+$/);
    expect(Number(host.memTotalBytes)).toBeGreaterThan(0);
  });

  it("shows a container started with the docker CLI, and its state changes", async () => {
    const id = await dockerRun(uniq("cli"), "sh", "-c", "echo hello-from-berth; echo oops >&2; sleep 3600");
    const row = await waitFor(
      () => rowOf(id),
      (r) => r?.state === "running",
    );
    expect(row?.state).toBe("running");
    expect(row?.image).toBe(FIXTURE_IMAGE);
    await run("docker", ["stop", id]);
    expect(
      (
        await waitFor(
          () => rowOf(id),
          (r) => r?.state === "exited",
        )
      )?.state,
    ).toBe("exited");
  });

  it("starts, stops and removes real containers, and says what Docker refused", async () => {
    const id = await dockerRun(uniq("act"), "sleep", "3600");
    await waitFor(
      () => rowOf(id),
      (r) => r?.state === "running",
    );
    await actOnContainer(ctx, hostId, id, "stop");
    expect(await stateOf(id)).toBe("exited");
    await actOnContainer(ctx, hostId, id, "start");
    expect(await stateOf(id)).toBe("running");
    await expect(actOnContainer(ctx, hostId, id, "remove")).rejects.toThrow(/running container/i);
    await actOnContainer(ctx, hostId, id, "kill");
    await actOnContainer(ctx, hostId, id, "remove");
    await expect(docker.getContainer(id).inspect()).rejects.toMatchObject({ statusCode: 404 });
    expect(
      await waitFor(
        () => rowOf(id),
        (r) => r === undefined,
      ),
    ).toBeUndefined();
  });

  it("refuses viewers and other teams", async () => {
    const id = await dockerRun(uniq("authz"), "sleep", "3600");
    await waitFor(
      () => rowOf(id),
      (r) => r?.state === "running",
    );
    const viewer = await addMember(ctx, "VIEWER");
    await expect(actOnContainer(viewer, hostId, id, "stop")).rejects.toBeInstanceOf(ForbiddenError);
    await expect(revealContainerEnv(viewer, hostId, id)).rejects.toBeInstanceOf(ForbiddenError);
    const other = await makeTeam();
    await expect(actOnContainer(other, hostId, id, "stop")).rejects.toBeInstanceOf(NotFoundError);
    await expect(listContainers(other, hostId)).rejects.toBeInstanceOf(NotFoundError);
    expect((await listHosts(other)).total).toBe(0);
    expect(await stateOf(id)).toBe("running");
  });

  it("round-trips logs with their streams", async () => {
    const id = await dockerRun(uniq("logs"), "sh", "-c", "echo line-one; echo line-two >&2; sleep 3600");
    await waitFor(
      () => rowOf(id),
      (r) => r?.state === "running",
    );
    const { lines } = await waitFor(
      () => containerLogs(ctx, hostId, id, { tail: 100, timestamps: true }),
      (r) => r.lines.length >= 2,
    );
    // Docker keeps stdout and stderr apart, so their relative order is not guaranteed.
    expect(lines.map((l) => [l.stream, l.text]).sort()).toEqual([
      ["stderr", "line-two"],
      ["stdout", "line-one"],
    ]);
    expect(lines.every((l) => /^\d{4}-\d\d-\d\dT/.test(l.ts ?? ""))).toBe(true);
  });

  it("goes offline when its agent stops, and puts missed changes right when it returns", async () => {
    const id = await dockerRun(uniq("gone"), "sleep", "3600");
    await waitFor(
      () => rowOf(id),
      (r) => r?.state === "running",
    );
    await agent.stop({ goodbye: false }); // as if the process died
    expect(
      (
        await waitFor(
          () => getHost(ctx, hostId),
          (h) => h.status === "OFFLINE",
          10_000,
        )
      ).status,
    ).toBe("OFFLINE");
    await run("docker", ["rm", "-f", id]); // while nobody watches
    agent = await startAgent(parseAgentUrl(agentUrl), quiet);
    expect(
      (
        await waitFor(
          () => getHost(ctx, hostId),
          (h) => h.status === "ONLINE",
        )
      ).status,
    ).toBe("ONLINE");
    expect(
      await waitFor(
        () => rowOf(id),
        (r) => r === undefined,
      ),
    ).toBeUndefined();
  });
});
