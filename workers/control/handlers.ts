// Control-queue job handlers: each parses job.data with its definition's schema, then re-loads what it needs.
import { UnrecoverableError, type Job } from "bullmq";
import { deliverOutboxEmail, markOutboxFailed } from "@/lib/data/outbox";
import { deliverEmail } from "@/lib/jobs/definitions";

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
    default:
      throw new UnrecoverableError(`unknown job ${job.name}`);
  }
}
