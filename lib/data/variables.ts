// Configuration variables at four scopes (team, project, environment, service), with secrets sealed at
// rest and write-only, every change kept as a version, and any version restorable.
import { z } from "zod";
import { masterKeysFromEnv, open, seal } from "@/lib/crypto/secret-box";
import { db, type Tx } from "@/lib/db";
import { NotFoundError, ValidationError } from "@/lib/errors";
import type { VarScope } from "@/lib/generated/prisma/enums";
import { parseInput } from "@/lib/validation/parse";
import { recordAudit } from "./audit";
import { authorize, type TeamContext } from "./context";
import { assertCanChange } from "./projects";
import { assertReferencesResolve } from "./reference-check";
import { notifyVariablesChanged } from "./variable-alerts";

export const VAR_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** A checkbox in a form ("on"), or a boolean from code. */
const flag = z
  .union([z.boolean(), z.enum(["on", "true", "false", ""])])
  .transform((v) => v === true || v === "on" || v === "true")
  .default(false);
export const variableInput = z.object({
  key: z.string().trim().regex(VAR_KEY, "Use letters, digits and _, not starting with a digit.").max(128),
  value: z.string().max(32 * 1024, "At most 32 KB."),
  secret: flag,
});
/** "Save anyway": keep a value whose references do not resolve yet (lib/data/reference-check.ts). */
export const saveAnywayInput = z.object({ force: flag });

export type OwnerRef =
  | { scope: "TEAM" }
  | { scope: "PROJECT"; projectId: string }
  | { scope: "ENVIRONMENT"; environmentId: string }
  | { scope: "SERVICE"; serviceId: string };

/** The owner a form or link names: a scope, and that scope's id (none for team variables). */
export function ownerRefOf(scope: string | undefined, id: string | undefined): OwnerRef {
  switch (scope) {
    case "TEAM":
      return { scope: "TEAM" };
    case "PROJECT":
      return { scope: "PROJECT", projectId: id ?? "" };
    case "ENVIRONMENT":
      return { scope: "ENVIRONMENT", environmentId: id ?? "" };
    case "SERVICE":
      return { scope: "SERVICE", serviceId: id ?? "" };
    default:
      throw new ValidationError("Unknown variable scope.");
  }
}

export type Owner = { owner: string; scope: VarScope; label: string; env: { protected: boolean; name: string } | null };

/** Checks that the owner belongs to the team and says who may change it. */
async function resolveOwner(ctx: TeamContext, ref: OwnerRef): Promise<Owner> {
  switch (ref.scope) {
    case "TEAM":
      return { owner: `team:${ctx.team.id}`, scope: "TEAM", label: ctx.team.name, env: null };
    case "PROJECT": {
      const p = await db.project.findFirst({ where: { id: ref.projectId, teamId: ctx.team.id }, select: { id: true, name: true } });
      if (!p) throw new NotFoundError("Project not found");
      return { owner: `project:${p.id}`, scope: "PROJECT", label: p.name, env: null };
    }
    case "ENVIRONMENT": {
      const e = await db.environment.findFirst({
        where: { id: ref.environmentId, project: { teamId: ctx.team.id } },
        select: { id: true, name: true, protected: true, project: { select: { name: true } } },
      });
      if (!e) throw new NotFoundError("Environment not found");
      return { owner: `environment:${e.id}`, scope: "ENVIRONMENT", label: `${e.project.name}/${e.name}`, env: e };
    }
    case "SERVICE": {
      const s = await db.service.findFirst({
        where: { id: ref.serviceId, environment: { project: { teamId: ctx.team.id } } },
        select: { id: true, name: true, environment: { select: { name: true, protected: true, project: { select: { name: true } } } } },
      });
      if (!s) throw new NotFoundError("Service not found");
      return { owner: `service:${s.id}`, scope: "SERVICE", label: `${s.environment.project.name}/${s.environment.name}/${s.name}`, env: s.environment };
    }
    default: {
      const never: never = ref;
      throw new ValidationError(`Unknown scope ${JSON.stringify(never)}`);
    }
  }
}

function assertCanWrite(ctx: TeamContext, o: Owner) {
  if (o.scope === "TEAM") authorize(ctx, "config.team");
  else if (o.env) assertCanChange(ctx, o.env);
  else authorize(ctx, "project.write");
}

/** Binds a sealed value to its variable: copied into another row, it does not open. */
export const variableAad = (owner: string, key: string) => `variable:${owner}:${key}`;
const aad = variableAad;

/** For pages and APIs: secrets come back as `value: null`, always. */
export async function listVariables(ctx: TeamContext, ref: OwnerRef) {
  authorize(ctx, "project.read");
  const o = await resolveOwner(ctx, ref);
  const rows = await db.variable.findMany({
    where: { owner: o.owner, teamId: ctx.team.id },
    select: { id: true, key: true, secret: true, value: true, updatedAt: true },
    orderBy: { key: "asc" },
  });
  return rows.map((r) => ({ ...r, value: r.secret ? null : r.value }));
}

async function writeVersion(
  tx: Tx,
  ctx: TeamContext,
  o: Owner,
  v: { variableId: string | null; key: string; action: string; secret: boolean; value: string | null; sealed: string | null },
) {
  await tx.variableVersion.create({ data: { ...v, teamId: ctx.team.id, owner: o.owner, actorId: ctx.actor.id, actorEmail: ctx.actor.email } });
}

export type VariableData = z.output<typeof variableInput>;

/** Writes one variable, its version and its audit row inside the caller's transaction. */
export async function writeVariable(tx: Tx, ctx: TeamContext, o: Owner, data: VariableData, action: string) {
  const sealed = data.secret ? seal(data.value, aad(o.owner, data.key), masterKeysFromEnv()) : null;
  const value = data.secret ? null : data.value;
  const before = await tx.variable.findUnique({ where: { owner_key: { owner: o.owner, key: data.key } }, select: { secret: true, value: true } });
  const row = await tx.variable.upsert({
    where: { owner_key: { owner: o.owner, key: data.key } },
    create: { teamId: ctx.team.id, scope: o.scope, owner: o.owner, key: data.key, secret: data.secret, value, sealed, updatedById: ctx.actor.id },
    update: { secret: data.secret, value, sealed, updatedById: ctx.actor.id },
    select: { id: true, key: true, secret: true },
  });
  await writeVersion(tx, ctx, o, { variableId: row.id, key: data.key, action, secret: data.secret, value, sealed });
  // Secrets appear in the audit log as "changed", never with a value.
  const change = data.secret || before?.secret ? { secret: true } : { value: { from: before?.value ?? null, to: data.value } };
  await recordAudit(tx, ctx.actor, {
    teamId: ctx.team.id,
    action: `variable.${action}`,
    target: { type: "variable", id: row.id, label: `${o.label}:${data.key}` },
    data: change,
  });
  return row;
}

/** The owner, checked to be the team's and writable by the actor. */
export async function writableOwner(ctx: TeamContext, ref: OwnerRef): Promise<Owner> {
  const o = await resolveOwner(ctx, ref);
  assertCanWrite(ctx, o);
  return o;
}

/**
 * Saves one variable. A value that would break a reference (or close a cycle) in any service it reaches is
 * refused with the service card's message, unless `force` ("Save anyway"); a restore puts back a value that
 * was saved before and is not checked.
 */
export async function setVariable(ctx: TeamContext, ref: OwnerRef, input: unknown, action: "set" | "restore" = "set") {
  const data = parseInput(variableInput, input);
  const { force } = parseInput(saveAnywayInput, input);
  const o = await writableOwner(ctx, ref);
  await assertReferencesResolve(ctx.team.id, o, [data], force || action === "restore");
  return db.$transaction(async (tx) => {
    const row = await writeVariable(tx, ctx, o, data, action);
    await notifyVariablesChanged(tx, ctx, o, [data.key], action);
    return row;
  });
}

export async function deleteVariable(ctx: TeamContext, ref: OwnerRef, key: string) {
  const o = await resolveOwner(ctx, ref);
  assertCanWrite(ctx, o);
  await db.$transaction(async (tx) => {
    const row = await tx.variable.findUnique({ where: { owner_key: { owner: o.owner, key } }, select: { id: true, secret: true } });
    if (!row) throw new NotFoundError("Variable not found");
    await tx.variable.delete({ where: { id: row.id } });
    await writeVersion(tx, ctx, o, { variableId: null, key, action: "delete", secret: row.secret, value: null, sealed: null });
    await recordAudit(tx, ctx.actor, { teamId: ctx.team.id, action: "variable.delete", target: { type: "variable", id: row.id, label: `${o.label}:${key}` } });
    await notifyVariablesChanged(tx, ctx, o, [key], "delete");
  });
}

/** A key's history, newest first. Secret versions say only that the value changed. */
export async function variableHistory(ctx: TeamContext, ref: OwnerRef, key: string) {
  authorize(ctx, "project.read");
  const o = await resolveOwner(ctx, ref);
  const rows = await db.variableVersion.findMany({
    where: { teamId: ctx.team.id, owner: o.owner, key },
    select: { id: true, action: true, secret: true, value: true, actorEmail: true, createdAt: true },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: 100,
  });
  return rows.map((r) => ({ ...r, value: r.secret ? null : r.value }));
}

/** Puts an earlier version back as the current value (a new version, so the restore is history too). */
export async function restoreVariableVersion(ctx: TeamContext, ref: OwnerRef, versionId: string) {
  const o = await resolveOwner(ctx, ref);
  const v = await db.variableVersion.findFirst({
    where: { id: String(versionId), teamId: ctx.team.id, owner: o.owner },
    select: { key: true, action: true, secret: true, value: true, sealed: true },
  });
  if (!v) throw new NotFoundError("Version not found");
  if (v.action === "delete") throw new ValidationError("That version is a deletion; pick a version with a value.");
  const value = v.secret ? open(v.sealed ?? "", aad(o.owner, v.key), masterKeysFromEnv()) : (v.value ?? "");
  return setVariable(ctx, ref, { key: v.key, value, secret: v.secret }, "restore");
}

/**
 * Server-side only: every variable of the given owners with secrets opened, for resolution (previews that
 * mask secret results, and deploys). Never send the result to a browser.
 */
export async function openVariables(teamId: string, owners: string[]) {
  const rows = await db.variable.findMany({
    where: { teamId, owner: { in: owners } },
    select: { owner: true, key: true, secret: true, value: true, sealed: true },
  });
  const keys = masterKeysFromEnv();
  return rows.map((r) => ({
    owner: r.owner,
    key: r.key,
    secret: r.secret,
    value: r.secret ? open(r.sealed ?? "", aad(r.owner, r.key), keys) : (r.value ?? ""),
  }));
}
