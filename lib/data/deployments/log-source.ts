// Where a deployment's log is followed from: its host's Redis stream while it runs, and which team news concern
// it (its service's, for messages that name no deployment). Also the stream's check before it opens.
import { db } from "@/lib/db";
import { NotFoundError } from "@/lib/errors";
import { authorize, type TeamContext } from "../context";

export async function deploymentLogSource(ctx: TeamContext, deploymentId: string): Promise<{ hostId: string | null; serviceId: string }> {
  authorize(ctx, "project.read");
  const d = await db.deployment.findFirst({ where: { id: String(deploymentId), teamId: ctx.team.id }, select: { hostId: true, serviceId: true } });
  if (!d) throw new NotFoundError("Deployment not found");
  return d;
}
