// callHost parses every answer with its job's `result` schema: an agent that answers in another shape (an
// older or newer agent) is a clear HostJobError, never a wrong value passed on. A stand-in worker on a host
// queue answers the way an agent does (sealed to the caller's reply key). Answers are read by one connection per
// process however many hosts are called, and an answer that comes at once is never missed.
import { randomUUID } from "node:crypto";
import { type Job, Worker } from "bullmq";
import { afterAll, describe, expect, it } from "vitest";
import { env } from "@/lib/env";
import { callHost, closeHostCalls, HostJobError } from "@/lib/hosts/call-host";
import { hostQueueName } from "@/lib/hosts/protocol";
import { replyTo, sealReply } from "@/lib/hosts/reply";
import { containerStatsJob, deploymentCancelJob } from "@/lib/jobs/host-jobs";
import { redisConnection } from "@/lib/jobs/redis";
import { adminRedis, closeAdminRedis } from "@/lib/redis/admin";

const hostId = `contract${randomUUID().replace(/-/g, "").slice(0, 12)}`;
const dockerId = "a".repeat(64);
let answer: unknown = null;
const worker = new Worker(hostQueueName(hostId), async (job: Job) => sealReply(job, replyTo.parse(job.data).replyKey, answer), {
  connection: redisConnection(),
  prefix: env.queuePrefix,
});

const others: Worker[] = [];

afterAll(async () => {
  await Promise.all([worker, ...others].map((w) => w.close()));
  await closeHostCalls();
  await closeAdminRedis();
});

describe("a host job's answer", () => {
  it("comes back parsed with the job's result schema", async () => {
    answer = { running: true };
    const r: { running: boolean } = await callHost(hostId, deploymentCancelJob, { deploymentId: "d1" });
    expect(r).toEqual({ running: true });
  });

  it("in another shape is refused with a message that names the likely cause", async () => {
    answer = { running: "yes" };
    await expect(callHost(hostId, deploymentCancelJob, { deploymentId: "d1" })).rejects.toThrow(
      new HostJobError("The host's answer did not match what Berth expects: is its agent up to date?"),
    );
    answer = { cpuPercent: 1 }; // a stats sample missing most of its fields
    await expect(callHost(hostId, containerStatsJob, { dockerId })).rejects.toBeInstanceOf(HostJobError);
  });
});

describe("answers", () => {
  it("of many hosts' first calls all come back, read by one connection of this process", async () => {
    // Each host is called for the first time, by a stand-in that answers at once: the answer lands right after
    // the job, the moment a reader that starts late (QueueEvents' `$`) would miss.
    const ids = Array.from({ length: 30 }, (_, i) => `${hostId}m${i}`);
    for (const id of ids)
      others.push(
        new Worker(hostQueueName(id), async (job: Job) => sealReply(job, replyTo.parse(job.data).replyKey, { running: id.endsWith("7") }), {
          connection: redisConnection(),
          prefix: env.queuePrefix,
        }),
      );
    const answers = await Promise.all(ids.map((id) => callHost(id, deploymentCancelJob, { deploymentId: "d1" }, 10_000)));
    expect(answers.map((a) => a.running)).toEqual(ids.map((id) => id.endsWith("7")));
    const clients = String(await adminRedis().client("LIST"))
      .split("\n")
      .map((l) => /name=(\S*)/.exec(l)?.[1] ?? "");
    expect(clients.filter((n) => n === `berth-host-answers-${process.pid}`)).toHaveLength(1);
  });

  it("a job the agent failed is its error; a host that never answers times out and its job is withdrawn", async () => {
    const failing = `${hostId}f`;
    others.push(
      new Worker(
        hostQueueName(failing),
        async (): Promise<unknown> => {
          throw new Error("No such container: abc");
        },
        { connection: redisConnection(), prefix: env.queuePrefix },
      ),
    );
    await expect(callHost(failing, deploymentCancelJob, { deploymentId: "d1" }, 10_000)).rejects.toThrow(new HostJobError("No such container: abc"));

    const silent = `${hostId}s`;
    await expect(callHost(silent, deploymentCancelJob, { deploymentId: "d1" }, 1000)).rejects.toThrow(
      new HostJobError("The host did not answer within 1 s. Is its agent running?"),
    );
    const queued = await adminRedis().zcard(`${env.queuePrefix}:${hostQueueName(silent)}:prioritized`);
    const waiting = await adminRedis().llen(`${env.queuePrefix}:${hostQueueName(silent)}:wait`);
    expect(queued + waiting).toBe(0);
  });
});
