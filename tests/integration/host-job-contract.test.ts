// callHost parses every answer with its job's `result` schema: an agent that answers in another shape (an
// older or newer agent) is a clear HostJobError, never a wrong value passed on. A stand-in worker on a host
// queue answers the way an agent does (sealed to the caller's reply key).
import { randomUUID } from "node:crypto";
import { type Job, Worker } from "bullmq";
import { afterAll, describe, expect, it } from "vitest";
import { env } from "@/lib/env";
import { callHost, closeHostCalls, HostJobError } from "@/lib/hosts/call-host";
import { hostQueueName } from "@/lib/hosts/protocol";
import { replyTo, sealReply } from "@/lib/hosts/reply";
import { containerStatsJob, deploymentCancelJob } from "@/lib/jobs/host-jobs";
import { redisConnection } from "@/lib/jobs/redis";

const hostId = `contract${randomUUID().replace(/-/g, "").slice(0, 12)}`;
const dockerId = "a".repeat(64);
let answer: unknown = null;
const worker = new Worker(hostQueueName(hostId), async (job: Job) => sealReply(job, replyTo.parse(job.data).replyKey, answer), {
  connection: redisConnection(),
  prefix: env.queuePrefix,
});

afterAll(async () => {
  await worker.close();
  await closeHostCalls();
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
