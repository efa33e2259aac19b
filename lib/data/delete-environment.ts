// Deleting one environment of a project, with its services, deployments, variables and what they ran on
// hosts (lib/data/teardown.ts). Admins and owners, who type the environment's name to confirm; one audit
// row says what went with it.
import { db } from "@/lib/db";
import { recordAudit } from "./audit";
import { authorize, type TeamContext } from "./context";
import { assertTypedName, type DeleteOutcome } from "./delete-project";
import { getEnvironment } from "./projects";
import { cleanUpHosts, deleteLooseRows, doomedServices, stopDeployments } from "./teardown";

export async function deleteEnvironment(ctx: TeamContext, projectSlug: string, envSlug: string, input: unknown): Promise<DeleteOutcome> {
  authorize(ctx, "project.delete");
  const { project, env } = await getEnvironment(ctx, projectSlug, envSlug);
  assertTypedName(input, env.name, "environment");
  const services = await doomedServices(ctx.team.id, { environmentId: env.id });
  const cancelled = await stopDeployments(services.map((s) => s.id));
  await db.$transaction(async (tx) => {
    const all = await tx.service.findMany({ where: { environmentId: env.id }, select: { id: true, name: true } });
    const variables = await deleteLooseRows(
      tx,
      ctx.team.id,
      all.map((s) => s.id),
      [`environment:${env.id}`],
    );
    await tx.environment.delete({ where: { id: env.id } });
    await recordAudit(tx, ctx.actor, {
      teamId: ctx.team.id,
      action: "environment.delete",
      target: { type: "environment", id: env.id, label: `${project.name}/${env.name}` },
      data: { services: all.map((s) => s.name), variables, deploymentsCancelled: cancelled },
    });
  });
  return { services: services.length, cancelled, hosts: await cleanUpHosts(services, { environmentsGo: true }) };
}
