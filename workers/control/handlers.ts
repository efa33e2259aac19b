// Control-queue job handlers: each parses job.data with its definition's schema, then re-loads what it needs.
import { UnrecoverableError, type Job } from "bullmq";
import { deliverOutboxEmail, markOutboxFailed } from "@/lib/data/outbox";
import { dispatchAndTell } from "@/lib/data/deployments";
import { deliverEmail, dispatchDeploymentsJob } from "@/lib/jobs/definitions";
import { adminRedis } from "@/lib/redis/admin";

export async function handleControlJob(job: Job): Promise<unknown> {
  switch (job.name) {
    case deliverEmail.name: {
      const { outboxId } = deliverEmail.schema.parse(job.data);
      try {
        return await deliverOutboxEmail(outboxId);
      } catch (e) {
        const final = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
        await markOutboxFailed(outboxId, String(e), final).catch(() => {});
        throw e;
      }
    }
    case dispatchDeploymentsJob.name:
      dispatchDeploymentsJob.schema.parse(job.data);
      await dispatchAndTell(adminRedis());
      return { ok: true };
    default:
      throw new UnrecoverableError(`unknown job ${job.name}`);
  }
}
