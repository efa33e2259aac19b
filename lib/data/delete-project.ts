// Deleting a project, with its environments, services, deployments, variables and what they ran on hosts
// (lib/data/teardown.ts). Admins and owners, who type the project's name to confirm; one audit row says
// what went with it.
import { z } from "zod";
import { db } from "@/lib/db";
import { ValidationError } from "@/lib/errors";
import { parseInput } from "@/lib/validation/parse";
import { recordAudit } from "./audit";
import { authorize, type TeamContext } from "./context";
import { getProject } from "./projects";
import { cleanUpHosts, deleteLooseRows, doomedServices, stopDeployments, type HostCleanup } from "./teardown";

export const confirmDeleteInput = z.object({ confirm: z.string().max(200).default("") });

export type DeleteOutcome = { services: number; cancelled: number; hosts: HostCleanup[] };

/** Throws a field error unless `typed` is `name` (surrounding spaces aside). */
export function assertTypedName(input: unknown, name: string, what: string) {
  const { confirm } = parseInput(confirmDeleteInput, input);
  if (confirm.trim() !== name)
    throw new ValidationError(`Type the ${what}'s name, "${name}", to confirm.`, { confirm: [`Does not match the ${what}'s name.`] });
}

export async function deleteProject(ctx: TeamContext, slug: string, input: unknown): Promise<DeleteOutcome> {
  authorize(ctx, "project.delete");
  const project = await getProject(ctx, slug);
  assertTypedName(input, project.name, "project");
  const services = await doomedServices(ctx.team.id, { projectId: project.id });
  const cancelled = await stopDeployments(services.map((s) => s.id));
  await db.$transaction(async (tx) => {
    // Read again inside: a service added meanwhile goes with the project too, and is named in the audit row.
    const all = await tx.service.findMany({
      where: { environment: { projectId: project.id } },
      select: { id: true, name: true, environment: { select: { name: true } } },
    });
    const variables = await deleteLooseRows(
      tx,
      ctx.team.id,
      all.map((s) => s.id),
      [`project:${project.id}`, ...project.environments.map((e) => `environment:${e.id}`)],
    );
    await tx.project.delete({ where: { id: project.id } });
    await recordAudit(tx, ctx.actor, {
      teamId: ctx.team.id,
      action: "project.delete",
      target: { type: "project", id: project.id, label: project.name },
      data: {
        slug: project.slug,
        environments: project.environments.map((e) => e.name),
        services: all.map((s) => `${s.environment.name}/${s.name}`),
        variables,
        deploymentsCancelled: cancelled,
      },
    });
  });
  return { services: services.length, cancelled, hosts: await cleanUpHosts(services, { environmentsGo: true }) };
}

/** For the confirmation: how many services each environment of the project has (what a delete takes along). */
export async function servicesPerEnvironment(ctx: TeamContext, projectId: string): Promise<Record<string, number>> {
  authorize(ctx, "project.read");
  const rows = await db.service.groupBy({
    by: ["environmentId"],
    where: { environment: { projectId, project: { teamId: ctx.team.id } } },
    _count: { _all: true },
  });
  return Object.fromEntries(rows.map((r) => [r.environmentId, r._count._all]));
}
