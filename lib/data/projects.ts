// Projects and their environments. A new project gets development, staging and production; production is
// protected (only admins and owners change or deploy it).
import { db, type Tx } from "@/lib/db";
import { ConflictError, ForbiddenError, NotFoundError } from "@/lib/errors";
import { canChangeEnvironment } from "@/lib/permissions";
import { slugify } from "@/lib/validation/fields";
import { parseInput } from "@/lib/validation/parse";
import { z } from "zod";
import { recordAudit } from "./audit";
import { authorize, type TeamContext } from "./context";
import { isUniqueViolation } from "./unique-violation";

export const DEFAULT_ENVIRONMENTS = [
  { name: "development", slug: "development", protected: false },
  { name: "staging", slug: "staging", protected: false },
  { name: "production", slug: "production", protected: true },
] as const;

const name = z.string({ error: "Enter a name." }).trim().min(1, "Enter a name.").max(60, "Use at most 60 characters.");
export const projectNameInput = z.object({ name });
export const environmentInput = z.object({ name, protected: z.coerce.boolean().default(false) });

const envSelect = { id: true, name: true, slug: true, protected: true, position: true } as const;

export async function listProjects(ctx: TeamContext, { archived = false } = {}) {
  authorize(ctx, "project.read");
  return db.project.findMany({
    where: { teamId: ctx.team.id, archivedAt: archived ? { not: null } : null },
    select: { id: true, name: true, slug: true, archivedAt: true, createdAt: true, environments: { select: envSelect, orderBy: { position: "asc" } } },
    orderBy: { name: "asc" },
  });
}

export async function getProject(ctx: TeamContext, slug: string) {
  authorize(ctx, "project.read");
  const p = await db.project.findFirst({
    where: { teamId: ctx.team.id, slug: String(slug) },
    select: { id: true, name: true, slug: true, archivedAt: true, environments: { select: envSelect, orderBy: { position: "asc" } } },
  });
  if (!p) throw new NotFoundError("Project not found");
  return p;
}

export async function getEnvironment(ctx: TeamContext, projectSlug: string, envSlug: string) {
  const project = await getProject(ctx, projectSlug);
  const env = project.environments.find((e) => e.slug === envSlug);
  if (!env) throw new NotFoundError("Environment not found");
  return { project, env };
}

async function uniqueSlug(_tx: Tx, taken: (slug: string) => Promise<boolean>, base: string) {
  const root = slugify(base) || "item";
  for (let i = 1; ; i++) {
    const slug = i === 1 ? root : `${root.slice(0, 36)}-${i}`;
    if (!(await taken(slug))) return slug;
  }
}

export async function createProject(ctx: TeamContext, input: unknown) {
  authorize(ctx, "project.write");
  const data = parseInput(projectNameInput, input);
  return db.$transaction(async (tx) => {
    const slug = await uniqueSlug(tx, async (s) => (await tx.project.count({ where: { teamId: ctx.team.id, slug: s } })) > 0, data.name);
    const project = await tx.project.create({ data: { teamId: ctx.team.id, name: data.name, slug }, select: { id: true, name: true, slug: true } });
    await tx.environment.createMany({ data: DEFAULT_ENVIRONMENTS.map((e, position) => ({ ...e, projectId: project.id, position })) });
    await recordAudit(tx, ctx.actor, { teamId: ctx.team.id, action: "project.create", target: { type: "project", id: project.id, label: project.name } });
    return project;
  });
}

export async function renameProject(ctx: TeamContext, slug: string, input: unknown) {
  authorize(ctx, "project.write");
  const data = parseInput(projectNameInput, input);
  const p = await getProject(ctx, slug);
  await db.$transaction(async (tx) => {
    await tx.project.update({ where: { id: p.id }, data: { name: data.name } });
    await recordAudit(tx, ctx.actor, {
      teamId: ctx.team.id,
      action: "project.rename",
      target: { type: "project", id: p.id, label: data.name },
      data: { name: { from: p.name, to: data.name } },
    });
  });
}

export async function setProjectArchived(ctx: TeamContext, slug: string, archived: boolean) {
  authorize(ctx, "project.archive");
  const p = await getProject(ctx, slug);
  await db.$transaction(async (tx) => {
    await tx.project.update({ where: { id: p.id }, data: { archivedAt: archived ? new Date() : null } });
    await recordAudit(tx, ctx.actor, {
      teamId: ctx.team.id,
      action: archived ? "project.archive" : "project.unarchive",
      target: { type: "project", id: p.id, label: p.name },
    });
  });
}

export async function createEnvironment(ctx: TeamContext, projectSlug: string, input: unknown) {
  authorize(ctx, "project.write");
  const data = parseInput(environmentInput, input);
  if (data.protected) authorize(ctx, "environment.protect");
  const p = await getProject(ctx, projectSlug);
  try {
    return await db.$transaction(async (tx) => {
      const slug = slugify(data.name) || "environment";
      const env = await tx.environment.create({
        data: { projectId: p.id, name: data.name, slug, protected: data.protected, position: p.environments.length },
        select: envSelect,
      });
      await recordAudit(tx, ctx.actor, {
        teamId: ctx.team.id,
        action: "environment.create",
        target: { type: "environment", id: env.id, label: `${p.name}/${env.name}` },
      });
      return env;
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw new ConflictError(`${p.name} already has an environment called ${data.name}.`, { name: ["Already exists."] });
    throw e;
  }
}

export async function setEnvironmentProtected(ctx: TeamContext, projectSlug: string, envSlug: string, value: boolean) {
  authorize(ctx, "environment.protect");
  const { project, env } = await getEnvironment(ctx, projectSlug, envSlug);
  await db.$transaction(async (tx) => {
    await tx.environment.update({ where: { id: env.id }, data: { protected: value } });
    await recordAudit(tx, ctx.actor, {
      teamId: ctx.team.id,
      action: value ? "environment.protect" : "environment.unprotect",
      target: { type: "environment", id: env.id, label: `${project.name}/${env.name}` },
    });
  });
}

/**
 * Throws unless the actor may change this environment's configuration (or deploy to it, or read a service's
 * webhook secret: `action`, which also names the scope an API token needs).
 */
export function assertCanChange(
  ctx: TeamContext,
  env: { protected: boolean; name: string },
  action: "project.write" | "service.deploy" | "service.webhook-secret" = "project.write",
) {
  authorize(ctx, action);
  if (!canChangeEnvironment(ctx.role, env)) {
    throw new ForbiddenError(`${env.name} is protected: only admins and owners change its configuration or deploy to it.`);
  }
}
