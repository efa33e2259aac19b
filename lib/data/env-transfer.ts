// Moving configuration between places: compare two environments and promote chosen keys, .env import
// (with a preview of what will change) and export, and cloning an environment. Each write is one
// transaction: all of it happens, or none.
import { z } from "zod";
import { formatDotenv, parseDotenv } from "@/lib/config/dotenv";
import { db } from "@/lib/db";
import { ForbiddenError, ValidationError } from "@/lib/errors";
import { can } from "@/lib/permissions";
import { parseInput } from "@/lib/validation/parse";
import { recordAudit } from "./audit";
import { authorize, type TeamContext } from "./context";
import { createEnvironment, getEnvironment } from "./projects";
import { assertReferencesResolve } from "./reference-check";
import { copyService, SERVICE_COPY_SELECT } from "./service-copy";
import { notifyVariablesChanged } from "./variable-alerts";
import { openVariables, VAR_KEY, writableOwner, writeVariable } from "./variables";

const envOwner = (id: string) => `environment:${id}`;

/**
 * Secrets copied out of a protected environment could be read back through a container in an open one,
 * so only those who may change the protected environment may copy its secrets.
 */
function assertMayCopySecretsOut(ctx: TeamContext, from: { protected: boolean; name: string }) {
  if (from.protected && !can(ctx.role, "environment.protect")) {
    throw new ForbiddenError(`${from.name} is protected: only admins and owners copy its secrets elsewhere.`);
  }
}

/** Keys of two environments side by side; secrets are compared in server memory and never returned. */
export async function compareEnvironments(ctx: TeamContext, projectSlug: string, aSlug: string, bSlug: string) {
  authorize(ctx, "project.read");
  const a = (await getEnvironment(ctx, projectSlug, aSlug)).env;
  const b = (await getEnvironment(ctx, projectSlug, bSlug)).env;
  const vars = await openVariables(ctx.team.id, [envOwner(a.id), envOwner(b.id)]);
  const side = (id: string) => new Map(vars.filter((v) => v.owner === envOwner(id)).map((v) => [v.key, v]));
  const [va, vb] = [side(a.id), side(b.id)];
  const keys = [...new Set([...va.keys(), ...vb.keys()])].sort();
  return {
    a,
    b,
    rows: keys.map((key) => {
      const x = va.get(key);
      const y = vb.get(key);
      const secret = Boolean(x?.secret || y?.secret);
      return {
        key,
        inA: Boolean(x),
        inB: Boolean(y),
        secret,
        same: Boolean(x && y && x.value === y.value && x.secret === y.secret),
        a: x && !x.secret ? x.value : null,
        b: y && !y.secret ? y.value : null,
      };
    }),
  };
}

export const promoteInput = z.object({
  keys: z
    .array(z.string().regex(VAR_KEY, "Keys use letters, digits and _, not starting with a digit."), { error: "Choose at least one key to promote." })
    .min(1, "Choose at least one key to promote.")
    .max(500, "Promote at most 500 keys at once."),
});

/** Copies the chosen keys (values and secrecy) from one environment to another, in one step. */
export async function promoteVariables(ctx: TeamContext, projectSlug: string, fromSlug: string, toSlug: string, input: unknown) {
  authorize(ctx, "project.write");
  const { keys } = parseInput(promoteInput, input);
  const from = (await getEnvironment(ctx, projectSlug, fromSlug)).env;
  const to = (await getEnvironment(ctx, projectSlug, toSlug)).env;
  if (from.id === to.id) throw new ValidationError("Pick two different environments.");
  const target = await writableOwner(ctx, { scope: "ENVIRONMENT", environmentId: to.id });
  const source = new Map((await openVariables(ctx.team.id, [envOwner(from.id)])).map((v) => [v.key, v]));
  const missing = keys.filter((k) => !source.has(k));
  if (missing.length) throw new ValidationError(`${from.name} has no ${missing.join(", ")}.`);
  if (keys.some((k) => source.get(k)!.secret)) assertMayCopySecretsOut(ctx, from);
  await db.$transaction(async (tx) => {
    for (const key of keys) {
      const v = source.get(key)!;
      await writeVariable(tx, ctx, target, { key, value: v.value, secret: v.secret }, "promote");
    }
    await notifyVariablesChanged(tx, ctx, target, keys, "promote");
  });
  return { promoted: keys.length };
}

/** What importing a .env text would change, before anything is written. */
export async function previewImport(ctx: TeamContext, environmentId: string, text: string) {
  const target = await writableOwner(ctx, { scope: "ENVIRONMENT", environmentId });
  const parsed = parseDotenv(text);
  const current = new Map((await openVariables(ctx.team.id, [target.owner])).map((v) => [v.key, v]));
  return {
    errors: parsed.errors,
    changes: parsed.entries.map((e) => {
      const c = current.get(e.key);
      const status: "new" | "changed" | "unchanged" = !c ? "new" : c.value === e.value ? "unchanged" : "changed";
      return { key: e.key, status, secret: Boolean(c?.secret), value: c?.secret ? null : e.value };
    }),
  };
}

/**
 * Imports a .env text; keys that are secrets now stay secret, `secretKeys` makes new ones secret. Refused when
 * it would break a reference, like saving one variable, unless `force` ("Import anyway").
 */
export async function applyImport(ctx: TeamContext, environmentId: string, text: string, secretKeys: string[] = [], { force = false } = {}) {
  const target = await writableOwner(ctx, { scope: "ENVIRONMENT", environmentId });
  const parsed = parseDotenv(text);
  if (parsed.errors.length) throw new ValidationError(`Fix the .env first: ${parsed.errors.map((e) => e.message).join("; ")}`);
  if (parsed.entries.length === 0) throw new ValidationError("The .env has no variables.");
  const current = new Map((await openVariables(ctx.team.id, [target.owner])).map((v) => [v.key, v]));
  const changes = parsed.entries
    .map((e) => ({ key: e.key, value: e.value, secret: Boolean(current.get(e.key)?.secret) || secretKeys.includes(e.key) }))
    .filter((e) => !(current.get(e.key)?.value === e.value && current.get(e.key)?.secret === e.secret));
  await assertReferencesResolve(ctx.team.id, target, changes, force);
  await db.$transaction(async (tx) => {
    for (const e of changes) await writeVariable(tx, ctx, target, e, "import");
    await notifyVariablesChanged(
      tx,
      ctx,
      target,
      changes.map((e) => e.key),
      "import",
    );
  });
  const changed = new Set(changes.map((e) => e.key));
  return {
    written: changes.length,
    total: parsed.entries.length,
    created: changes.filter((e) => !current.has(e.key)).map((e) => e.key),
    updated: changes.filter((e) => current.has(e.key)).map((e) => e.key),
    unchanged: parsed.entries.filter((e) => !changed.has(e.key)).map((e) => e.key),
  };
}

/** `applyImport` into the environment the names name (the CLI's `berth env push`). */
export async function applyImportByName(
  ctx: TeamContext,
  projectSlug: string,
  envSlug: string,
  text: string,
  secretKeys: string[] = [],
  opts: { force?: boolean } = {},
) {
  authorize(ctx, "project.write");
  const { env } = await getEnvironment(ctx, projectSlug, envSlug);
  return applyImport(ctx, env.id, text, secretKeys, opts);
}

/** The environment's own variables as .env text. Secrets only when an admin asks, and that is audited. */
export async function exportEnvironment(ctx: TeamContext, projectSlug: string, envSlug: string, { includeSecrets = false } = {}) {
  authorize(ctx, "project.read");
  if (includeSecrets) authorize(ctx, "config.export-secrets");
  const { project, env } = await getEnvironment(ctx, projectSlug, envSlug);
  const vars = (await openVariables(ctx.team.id, [envOwner(env.id)])).sort((x, y) => x.key.localeCompare(y.key));
  const shown = vars.filter((v) => includeSecrets || !v.secret);
  if (includeSecrets) {
    await db.$transaction((tx) =>
      recordAudit(tx, ctx.actor, {
        teamId: ctx.team.id,
        action: "variable.export-secrets",
        target: { type: "environment", id: env.id, label: `${project.name}/${env.name}` },
      }),
    );
  }
  const skipped = vars.length - shown.length;
  const header = skipped
    ? `# ${skipped} secret${skipped === 1 ? "" : "s"} left out: ${vars
        .filter((v) => v.secret)
        .map((v) => v.key)
        .join(", ")}\n`
    : "";
  return header + formatDotenv(shown.map(({ key, value }) => ({ key, value })));
}

/** A new environment with the source's variables and services; secrets only when asked. */
export async function cloneEnvironment(ctx: TeamContext, projectSlug: string, fromSlug: string, input: unknown) {
  authorize(ctx, "project.write");
  const data = parseInput(z.object({ name: z.string(), withSecrets: z.coerce.boolean().default(false) }), input);
  const { env: from } = await getEnvironment(ctx, projectSlug, fromSlug);
  if (data.withSecrets) assertMayCopySecretsOut(ctx, from);
  const created = await createEnvironment(ctx, projectSlug, { name: data.name });
  const target = await writableOwner(ctx, { scope: "ENVIRONMENT", environmentId: created.id });
  const services = await db.service.findMany({ where: { environmentId: from.id }, select: SERVICE_COPY_SELECT });
  const vars = await openVariables(ctx.team.id, [envOwner(from.id), ...services.map((s) => `service:${s.id}`)]);
  await db.$transaction(async (tx) => {
    for (const v of vars.filter((v) => v.owner === envOwner(from.id) && (data.withSecrets || !v.secret))) {
      await writeVariable(tx, ctx, target, { key: v.key, value: v.value, secret: v.secret }, "clone");
    }
    for (const s of services) {
      const { id } = s;
      // Git services stay git services (service-copy.ts), with their credential sealed again to the copy.
      const copy = await copyService(tx, s, created.id);
      const owner = { owner: `service:${copy.id}`, scope: "SERVICE" as const, label: `${created.name}/${s.name}`, env: created };
      for (const v of vars.filter((v) => v.owner === `service:${id}` && (data.withSecrets || !v.secret))) {
        await writeVariable(tx, ctx, owner, { key: v.key, value: v.value, secret: v.secret }, "clone");
      }
    }
    await recordAudit(tx, ctx.actor, {
      teamId: ctx.team.id,
      action: "environment.clone",
      target: { type: "environment", id: created.id, label: created.name },
      data: { from: from.name, withSecrets: data.withSecrets },
    });
  });
  return created;
}
