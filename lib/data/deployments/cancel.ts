// Cancelling: a deployment still waiting in the queue ends at once; a running one is stopped by its agent,
// which removes what it made and reports CANCELLED. If the agent cannot be reached, the lease ends it.
import { db } from "@/lib/db";
import { ACTIVE_ORDER, ending, isTerminal, STATUS_LABEL } from "@/lib/deploy/states";
import { NotFoundError, ValidationError } from "@/lib/errors";
import { sendToHost } from "@/lib/hosts/call-host";
import { deploymentCancelJob } from "@/lib/jobs/host-jobs";
import { recordAudit } from "../audit";
import type { TeamContext } from "../context";
import { assertCanChange } from "../projects";
import { nudgeScheduler } from "./create";
import { retryOnConflict } from "./retry";

export async function cancelDeployment(ctx: TeamContext, deploymentId: string) {
  const d = await db.deployment.findFirst({
    where: { id: String(deploymentId), teamId: ctx.team.id },
    select: {
      id: true,
      number: true,
      status: true,
      steps: true,
      hostId: true,
      dispatchedAt: true,
      service: { select: { id: true, name: true, environment: { select: { name: true, protected: true, project: { select: { name: true } } } } } },
    },
  });
  if (!d) throw new NotFoundError("Deployment not found");
  assertCanChange(ctx, d.service.environment, "service.deploy");
  if (isTerminal(d.status)) throw new ValidationError(`#${d.number} has already ended (${STATUS_LABEL[d.status].toLowerCase()}).`);
  const label = `${d.service.environment.project.name}/${d.service.environment.name}/${d.service.name}`;
  const ended = await retryOnConflict(() =>
    db.$transaction(async (tx) => {
      // Two compare-and-sets, each one statement: end it if it still waits (not yet claimed by the scheduler,
      // whose claim is conditional the same way), else flag it if it still runs. Between the two, it can only
      // have been claimed (the second then matches) or have ended (nothing to cancel any more).
      const now = new Date();
      const waiting = await tx.deployment.updateMany({
        where: { id: d.id, status: "QUEUED", dispatchedAt: null },
        data: { ...ending(d.steps, "CANCELLED", now), cancelRequested: true, log: "" },
      });
      if (waiting.count === 0) {
        const running = await tx.deployment.updateMany({ where: { id: d.id, status: { in: [...ACTIVE_ORDER] } }, data: { cancelRequested: true } });
        if (running.count === 0) throw new ValidationError(`#${d.number} has already ended.`);
      }
      await recordAudit(tx, ctx.actor, {
        teamId: ctx.team.id,
        action: "deployment.cancel",
        target: { type: "service", id: d.service.id, label },
        data: { deployment: d.id, number: d.number, status: d.status },
      });
      return waiting.count > 0;
    }),
  );
  // A claimed one is stopped by its agent, which remembers a cancel that arrives before the start. Not
  // waited for: an agent that cannot be reached is the lease's to end.
  if (!ended && d.hostId) {
    await sendToHost(d.hostId, deploymentCancelJob, { deploymentId: d.id }).catch((e) =>
      console.error(`deployments: cancel of ${d.id} not delivered: ${(e as Error).message}`),
    );
  }
  await nudgeScheduler({ teamId: ctx.team.id, serviceId: d.service.id, hostId: d.hostId });
  return { ended };
}
