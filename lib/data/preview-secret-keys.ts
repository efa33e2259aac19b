// Which secrets an environment's pull request previews receive: its admins allow them key by key
// (Environment.previewSecretKeys); every other secret is left out of a preview cloned from it, because a
// preview runs the code of a pull request, perhaps a stranger's.
import { z } from "zod";
import { db } from "@/lib/db";
import { ValidationError } from "@/lib/errors";
import { commaList } from "@/lib/validation/fields";
import { parseInput } from "@/lib/validation/parse";
import { recordAudit } from "./audit";
import { authorize, type TeamContext } from "./context";
import { getEnvironment } from "./projects";
import { VAR_KEY } from "./variables";

export const MAX_PREVIEW_SECRET_KEYS = 200;

export const previewSecretKeysInput = z.object({
  keys: commaList(
    z
      .array(z.string().trim().max(128, "A key has at most 128 characters.").regex(VAR_KEY, "Keys use letters, digits and _, not starting with a digit."), {
        error: "List the secret keys to allow.",
      })
      .max(MAX_PREVIEW_SECRET_KEYS, `At most ${MAX_PREVIEW_SECRET_KEYS} keys.`)
      .transform((keys) => [...new Set(keys)].sort()),
  ).default([]),
});

/** The secret keys that reach this environment's services, at every scope (names only, never values). */
async function secretKeysOf(teamId: string, env: { id: string; projectId: string }) {
  const services = await db.service.findMany({ where: { environmentId: env.id }, select: { id: true } });
  const owners = [`team:${teamId}`, `project:${env.projectId}`, `environment:${env.id}`, ...services.map((s) => `service:${s.id}`)];
  const rows = await db.variable.findMany({ where: { teamId, owner: { in: owners }, secret: true }, select: { key: true, owner: true } });
  const scopes = new Map<string, Set<string>>();
  for (const r of rows) scopes.set(r.key, (scopes.get(r.key) ?? new Set()).add(r.owner.split(":")[0]!));
  return [...scopes.entries()].map(([key, where]) => ({ key, scopes: [...where].sort() })).sort((a, b) => a.key.localeCompare(b.key));
}

async function environmentRow(ctx: TeamContext, projectSlug: string, envSlug: string) {
  const { project, env } = await getEnvironment(ctx, projectSlug, envSlug);
  const row = await db.environment.findUniqueOrThrow({ where: { id: env.id }, select: { previewSecretKeys: true } });
  return { project, env: { ...env, projectId: project.id }, allowed: row.previewSecretKeys };
}

/** The secrets that reach the environment, each with whether its previews receive it. */
export async function previewSecretChoices(ctx: TeamContext, projectSlug: string, envSlug: string) {
  const { env, allowed } = await environmentRow(ctx, projectSlug, envSlug);
  const secrets = await secretKeysOf(ctx.team.id, env);
  return { allowed, secrets: secrets.map((s) => ({ ...s, allowed: allowed.includes(s.key) })) };
}

/** Replaces the allowed keys. Admins and owners only, whatever the environment's protection; audited. */
export async function setPreviewSecretKeys(ctx: TeamContext, projectSlug: string, envSlug: string, input: unknown) {
  authorize(ctx, "preview.secrets");
  const { project, env, allowed: before } = await environmentRow(ctx, projectSlug, envSlug);
  const { keys } = parseInput(previewSecretKeysInput, input);
  const known = new Set((await secretKeysOf(ctx.team.id, env)).map((s) => s.key));
  const unknown = keys.filter((k) => !known.has(k));
  if (unknown.length) {
    const message = `No secret called ${unknown.slice(0, 5).join(", ")}${unknown.length > 5 ? ` (and ${unknown.length - 5} more)` : ""} reaches ${env.name}.`;
    throw new ValidationError(message, { keys: [message] });
  }
  await db.$transaction(async (tx) => {
    await tx.environment.update({ where: { id: env.id }, data: { previewSecretKeys: keys } });
    await recordAudit(tx, ctx.actor, {
      teamId: ctx.team.id,
      action: "environment.preview-secrets",
      target: { type: "environment", id: env.id, label: `${project.name}/${env.name}` },
      data: { allowed: keys.filter((k) => !before.includes(k)), withdrawn: before.filter((k) => !keys.includes(k)) },
    });
  });
  return { environmentId: env.id, keys };
}
