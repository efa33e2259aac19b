// The control worker: consumes the control queue, relays outbox rows whose job never reached Redis, and
// persists what host agents report.
import { Worker } from "bullmq";
import { dispatchOutboxEmail, staleOutboxIds } from "@/lib/data/outbox";
import { closeQueues } from "@/lib/jobs/enqueue";
import { CONTROL_QUEUE } from "@/lib/jobs/definitions";
import { redisConnection } from "@/lib/jobs/redis";
import { env } from "@/lib/env";
import { handleControlJob } from "./handlers";
import { startHostReports } from "./host-reports";
import { startNotificationSender } from "./notification-sender";
import { startPreviewReaper } from "./preview-reaper";
import { startRegistryGc } from "./registry-gc";

const RELAY_EVERY_MS = 30_000;

export function startControlWorker() {
  const worker = new Worker(CONTROL_QUEUE, handleControlJob, {
    connection: redisConnection(),
    prefix: env.queuePrefix,
    concurrency: 4,
  });
  worker.on("failed", (job, err) => console.error(`control: job ${job?.name} ${job?.id} failed: ${err.message}`));
  worker.on("error", (err) => console.error(`control: ${err.message}`));

  const relay = async () => {
    try {
      for (const id of await staleOutboxIds(RELAY_EVERY_MS)) await dispatchOutboxEmail(id);
    } catch (e) {
      console.error("control: outbox relay failed:", e);
    }
  };
  const timer = setInterval(relay, RELAY_EVERY_MS);
  void relay();
  const reports = startHostReports();
  const registryGc = startRegistryGc();
  const notifications = startNotificationSender();
  const previewReaper = startPreviewReaper();

  return {
    worker,
    async close() {
      clearInterval(timer);
      registryGc.close();
      await notifications.close();
      previewReaper.close();
      await reports.close();
      await worker.close();
      await closeQueues();
    },
  };
}
