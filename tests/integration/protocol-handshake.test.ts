// The protocol handshake, control side and agent side, on the real Redis and Postgres. An agent of protocol 1
// (its heartbeats say none) gets the host shown with the problem, no deployment and none of its other reports
// applied; a real agent of the current protocol clears it and the waiting deployment is dispatched. An agent
// told by Berth's `hello` that Berth speaks another protocol takes no jobs and says why, heartbeating on.
import Dockerode from "dockerode";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import type { TeamContext } from "@/lib/data/context";
import { deployImage } from "@/lib/data/deployments";
import { createHost } from "@/lib/data/hosts";
import { createProject, getEnvironment } from "@/lib/data/projects";
import { env } from "@/lib/env";
import { closeHostCalls, sendToHost } from "@/lib/hosts/call-host";
import { helloKey } from "@/lib/hosts/handshake";
import { hostQueueName, hostReportStream, PROTOCOL_VERSION } from "@/lib/hosts/protocol";
import { closeQueues } from "@/lib/jobs/enqueue";
import { containerStatsJob } from "@/lib/jobs/host-jobs";
import { queueOptions } from "@/lib/jobs/redis";
import { closeAdminRedis } from "@/lib/redis/admin";
import { parseAgentUrl } from "@/workers/agent/config";
import { startAgent } from "@/workers/agent/start";
import { startControlWorker } from "@/workers/control/start";
import { FIXTURE_IMAGE, removeTestContainers } from "../support/fixture-image";
import { settle } from "./support/deploy";
import { makeTeam, uniq } from "./support/factory";
import { waitFor } from "./support/wait";

process.env.BERTH_PUBLIC_REDIS_URL ??= env.redisUrl;
const docker = new Dockerode();
const admin = new Redis(env.redisUrl, { maxRetriesPerRequest: 1 });
let ctx: TeamContext;
let host: { id: string; agentUrl: string };
let control: ReturnType<typeof startControlWorker>;
let serviceId: string;

const now = () => new Date().toISOString();
// What an agent from before the handshake sent: no protocolVersion, no inContainer.
const oldFacts = {
  agentVersion: "0.1.0",
  dockerVersion: "20.10.24",
  apiVersion: "1.41",
  os: "Debian",
  kernel: "6.1",
  cpuCount: 2,
  cpuPercent: 1,
  memTotalBytes: 1e9,
  memUsedBytes: 1e8,
  images: 3,
};

let network = "";

beforeAll(async () => {
  ctx = await makeTeam();
  host = await createHost(ctx, { name: "handshake" });
  const project = await createProject(ctx, { name: uniq("hs") });
  network = `berth-${project.slug}-staging`;
  const { env: staging } = await getEnvironment(ctx, project.slug, "staging");
  // Straight into the table: the image's registry is not reachable from here, and only its dispatch matters.
  serviceId = (
    await db.service.create({ data: { environmentId: staging.id, name: "web", image: FIXTURE_IMAGE, command: [], ports: [], volumes: [], hostId: host.id } })
  ).id;
  control = startControlWorker();
});

afterAll(async () => {
  await control?.close();
  for (const c of await docker.listContainers({ all: true, filters: { label: [`berth.service.id=${serviceId}`] } }))
    await docker
      .getContainer(c.Id)
      .remove({ force: true })
      .catch(() => {});
  await removeTestContainers(docker);
  // The deployment the current agent ran made the environment's network: it goes too (Docker has room for ~30).
  await docker
    .getNetwork(network)
    .remove()
    .catch(() => {});
  admin.disconnect();
  await closeHostCalls();
  await closeQueues();
  await closeAdminRedis();
});

describe("the protocol handshake", () => {
  it("Berth tells each host's agent its protocol in the host's own keys", async () => {
    const hello = JSON.parse((await admin.get(helloKey(env.queuePrefix, host.id))) ?? "null");
    expect(hello).toMatchObject({ protocolVersion: PROTOCOL_VERSION });
    expect(hello).toHaveProperty("agentVersion");
  });

  it("shows an agent of protocol 1 with the problem, dispatches nothing to it and drops its other reports", async () => {
    // The old agent reports as the host itself, through its own login.
    const asHost = new Redis(parseAgentUrl(host.agentUrl).redisUrl, { maxRetriesPerRequest: 1 });
    const stream = hostReportStream(env.queuePrefix, host.id);
    const send = (report: object) => asHost.xadd(stream, "*", "report", JSON.stringify(report));
    const beat = setInterval(() => void send({ type: "heartbeat", at: now(), facts: oldFacts }).catch(() => {}), 300);
    try {
      const h = await waitFor(
        () => db.host.findUniqueOrThrow({ where: { id: host.id } }),
        (x) => x.protocolProblem !== null,
      );
      expect(h.protocolProblem).toBe(
        `This agent speaks protocol 1; Berth speaks ${PROTOCOL_VERSION}. Update the agent from the host's page (or run the install command again).`,
      );
      expect([h.status, h.protocolVersion, h.agentVersion, h.agentInContainer]).toEqual(["ONLINE", 1, "0.1.0", false]);

      // A snapshot naming a container: acknowledged and dropped, never written.
      const dockerId = "b".repeat(64);
      const c = {
        dockerId,
        name: "ghost",
        image: "x",
        imageId: "sha256:x",
        command: "sh",
        state: "running",
        status: "Up",
        health: null,
        ports: [],
        labels: {},
        createdAt: now(),
        startedAt: now(),
        finishedAt: null,
        exitCode: null,
        restartPolicy: "no",
      };
      await send({ type: "snapshot", at: now(), containers: [c] });
      const d = await deployImage(ctx, serviceId);
      await new Promise((r) => setTimeout(r, 2500)); // scheduler passes and the snapshot's turn in the stream
      expect(await db.container.count({ where: { hostId: host.id } })).toBe(0);
      const waiting = await db.deployment.findUniqueOrThrow({ where: { id: d.id } });
      expect([waiting.status, waiting.dispatchedAt]).toEqual(["QUEUED", null]);
      // The stream is drained all the same: once the heartbeats stop, nothing waits to be retried.
      clearInterval(beat);
      const pending = await waitFor(
        async () => ((await admin.xpending(stream, "control")) as [number, ...unknown[]])[0],
        (n) => n === 0,
        5000,
      );
      expect(pending).toBe(0);
    } finally {
      clearInterval(beat);
      asHost.disconnect();
    }
  });

  it("clears the problem once an agent of this protocol heartbeats, and the waiting deployment is dispatched", async () => {
    const agent = await startAgent(parseAgentUrl(host.agentUrl), { log: () => {}, heartbeatMs: 500 });
    try {
      const h = await waitFor(
        () => db.host.findUniqueOrThrow({ where: { id: host.id } }),
        (x) => x.protocolProblem === null,
      );
      expect([h.protocolProblem, h.protocolVersion, h.agentInContainer]).toEqual([null, PROTOCOL_VERSION, false]);
      const d = await waitFor(
        () => db.deployment.findFirstOrThrow({ where: { serviceId } }),
        (x) => x.dispatchedAt !== null,
      );
      expect(d.dispatchedAt).not.toBeNull();
      await settle(d.id);
    } finally {
      await agent.stop();
    }
  });

  it("an agent told that Berth speaks another protocol takes no jobs, says why, and heartbeats on", async () => {
    const other = await createHost(ctx, { name: "handshake-newer-berth" });
    await admin.set(helloKey(env.queuePrefix, other.id), JSON.stringify({ protocolVersion: PROTOCOL_VERSION + 1, agentVersion: "9.9.9" }));
    const logs: string[] = [];
    const agent = await startAgent(parseAgentUrl(other.agentUrl), { log: (m) => logs.push(m), heartbeatMs: 300 });
    const queue = new Queue(hostQueueName(other.id), queueOptions());
    try {
      await waitFor(
        async () => logs,
        (l) => l.some((m) => m.startsWith("Berth speaks protocol")),
      );
      expect(logs).toContain(
        `Berth speaks protocol ${PROTOCOL_VERSION + 1}; this agent speaks ${PROTOCOL_VERSION}: update it to 9.9.9 from the host's page in Berth (or run the install command again). Until then it takes no jobs.`,
      );
      await sendToHost(other.id, containerStatsJob, { dockerId: "c".repeat(64) });
      await new Promise((r) => setTimeout(r, 2000));
      // Still waiting, with whatever else came (the answer to its snapshot, host.converge); none taken (a stats
      // job for no such container would have failed).
      expect((await queue.getWaiting()).map((j) => j.name)).toContain("container.stats");
      expect(await queue.getJobCounts("active", "failed")).toEqual({ active: 0, failed: 0 });
      const h = await waitFor(
        () => db.host.findUniqueOrThrow({ where: { id: other.id } }),
        (x) => x.status === "ONLINE",
      );
      expect(h.status).toBe("ONLINE");
    } finally {
      await queue.obliterate({ force: true }).catch(() => {});
      await queue.close();
      await agent.stop();
    }
  });
});
