// The preview environment pr-<n>: a copy of the base environment's services and environment-scoped
// variables, made inside the caller's transaction. Git services keep their source (the pull request's
// service builds the pull request's head, the others their own branch); custom domains stay behind (they
// belong to the base); a secret is copied only when the base environment allows its key in previews
// (resolved-config.ts applies the same rule to team and project secrets).
import type { Tx } from "@/lib/db";
import { ConflictError, ValidationError } from "@/lib/errors";
import { recordAudit, type AuditActor } from "../audit";
import { copyService, SERVICE_COPY_SELECT } from "../service-copy";
import { openVariables, writeVariable } from "../variables";
import { actingContext } from "./actor";

export type PreviewSource = {
  teamId: string;
  team: { id: string; slug: string; name: string };
  number: number;
  service: { id: string; name: string; environmentId: string; previewBaseEnvironmentId: string | null };
};

export type ClonedService = { id: string; name: string; source: string; hostId: string | null; image: string; gitBranch: string | null; baseId: string };

export const previewSlug = (n: number) => `pr-${n}`;

/** Creates pr-<n> with its services and variables; returns it and its services. */
export async function createPreviewEnvironment(tx: Tx, src: PreviewSource, actor: AuditActor) {
  const own = await tx.environment.findUniqueOrThrow({ where: { id: src.service.environmentId }, select: { projectId: true } });
  const base = await tx.environment.findFirst({
    where: { id: src.service.previewBaseEnvironmentId ?? src.service.environmentId, projectId: own.projectId },
    select: { id: true, name: true, previewSecretKeys: true, project: { select: { id: true, name: true } } },
  });
  if (!base) throw new ValidationError("The preview's base environment is not in the service's project.");
  const slug = previewSlug(src.number);
  const taken = await tx.environment.findUnique({ where: { projectId_slug: { projectId: own.projectId, slug } }, select: { id: true } });
  if (taken)
    throw new ConflictError(
      `${base.project.name} already has an environment ${slug} that is not this pull request's preview; rename it to preview pull request #${src.number}.`,
    );
  const position = await tx.environment.count({ where: { projectId: own.projectId } });
  const env = await tx.environment.create({ data: { projectId: own.projectId, name: slug, slug, position }, select: { id: true, name: true, slug: true } });

  const allowed = new Set(base.previewSecretKeys);
  const keep = (v: { secret: boolean; key: string }) => !v.secret || allowed.has(v.key);
  const services = await tx.service.findMany({ where: { environmentId: base.id }, select: SERVICE_COPY_SELECT, orderBy: { name: "asc" } });
  const all = await openVariables(src.teamId, [`environment:${base.id}`, ...services.map((s) => `service:${s.id}`)]);
  const vars = all.filter(keep);
  const ctx = actingContext(src.team, actor);
  const label = `${base.project.name}/${env.name}`;
  const envOwner = { owner: `environment:${env.id}`, scope: "ENVIRONMENT" as const, label, env: { protected: false, name: env.name } };
  for (const v of vars.filter((v) => v.owner === `environment:${base.id}`)) {
    await writeVariable(tx, ctx, envOwner, { key: v.key, value: v.value, secret: v.secret }, "preview");
  }
  const copies: ClonedService[] = [];
  for (const s of services) {
    const copy = await copyService(tx, s, env.id);
    const owner = { owner: `service:${copy.id}`, scope: "SERVICE" as const, label: `${label}/${s.name}`, env: { protected: false, name: env.name } };
    for (const v of vars.filter((v) => v.owner === `service:${s.id}`)) {
      await writeVariable(tx, ctx, owner, { key: v.key, value: v.value, secret: v.secret }, "preview");
    }
    copies.push({ id: copy.id, name: s.name, source: s.source, hostId: s.hostId, image: s.image, gitBranch: s.gitBranch, baseId: s.id });
  }
  await recordAudit(tx, actor, {
    teamId: src.teamId,
    action: "preview.environment-create",
    target: { type: "environment", id: env.id, label },
    data: { from: base.name, services: copies.map((c) => c.name), secretsLeftOut: all.length - vars.length },
  });
  return { env, services: copies };
}
