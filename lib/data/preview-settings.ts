// A git service's pull request previews: opt in, the environment each preview is cloned from, how long a
// forgotten one lives, and the token that posts its state to the pull request (sealed, write-only).
import { z } from "zod";
import { masterKeysFromEnv, open, seal } from "@/lib/crypto/secret-box";
import { db } from "@/lib/db";
import { NotFoundError, ValidationError } from "@/lib/errors";
import { statusApiHost } from "@/lib/git/commit-status-api";
import { assertOutboundAllowed } from "@/lib/net/outbound";
import { flag } from "@/lib/validation/fields";
import { parseInput } from "@/lib/validation/parse";
import { blankToUndefined } from "@/lib/validation/proxy-settings";
import { recordAudit } from "./audit";
import { authorize, type TeamContext } from "./context";
import { webhookUrl } from "./git-services";
import { assertCanChange } from "./projects";
import { getService } from "./services";

export const PREVIEW_TTL_HOURS = { min: 1, max: 720, default: 72 } as const;

export const previewSettingsInput = z.object({
  previewsEnabled: flag.default(false),
  /** Left out or blank: the service's own environment. */
  previewBaseEnvironmentId: z.preprocess(blankToUndefined, z.string().trim().max(64).optional()),
  previewTtlHours: z.preprocess(
    (v) => blankToUndefined(v) ?? PREVIEW_TTL_HOURS.default,
    z.coerce
      .number({ error: "Enter a number of hours." })
      .int("Whole hours.")
      .min(PREVIEW_TTL_HOURS.min, `At least ${PREVIEW_TTL_HOURS.min} hour.`)
      .max(PREVIEW_TTL_HOURS.max, `At most ${PREVIEW_TTL_HOURS.max} hours (30 days).`),
  ),
  /** Write-only: left out or blank keeps the stored one; `clearStatusToken` removes it. */
  previewStatusToken: z.preprocess(
    blankToUndefined,
    z
      .string()
      .max(4096, "At most 4096 characters.")
      .regex(/^[\x21-\x7e]+$/, "A token has no spaces or control characters.")
      .optional(),
  ),
  clearStatusToken: flag.default(false),
});

export const statusTokenAad = (serviceId: string) => `service:${serviceId}:preview-status-token`;

async function gitServiceOf(ctx: TeamContext, serviceId: string) {
  const s = await getService(ctx, serviceId);
  const row = await db.service.findUniqueOrThrow({
    where: { id: s.id },
    select: {
      source: true,
      gitUrl: true,
      previewsEnabled: true,
      previewBaseEnvironmentId: true,
      previewTtlHours: true,
      previewStatusToken: true,
      host: { select: { allowPrivateNetworks: true } },
      environment: { select: { preview: { select: { number: true } } } },
    },
  });
  if (row.source !== "git") throw new ValidationError(`${s.name} runs an image: previews are for services built from git.`);
  // A preview's own copy of the service builds its pull request; previews of previews make no sense.
  const { environment: place, ...columns } = row;
  return { ...s, ...columns, inPreview: place.preview !== null, label: `${s.environment.project.name}/${s.environment.name}/${s.name}` };
}

/** Environments a preview may be cloned from: the project's own, never another preview. */
async function baseChoices(projectId: string) {
  return db.environment.findMany({
    where: { projectId, preview: null },
    select: { id: true, name: true, slug: true, protected: true },
    orderBy: { position: "asc" },
  });
}

/** The settings as the service page shows them; the status token only as set or not. */
export async function previewSettings(ctx: TeamContext, serviceId: string) {
  const s = await gitServiceOf(ctx, serviceId);
  const environments = await baseChoices(s.environment.project.id);
  return {
    serviceId: s.id,
    previewsEnabled: s.previewsEnabled,
    previewBaseEnvironmentId: s.previewBaseEnvironmentId ?? s.environment.id,
    previewTtlHours: s.previewTtlHours,
    statusTokenSet: s.previewStatusToken !== null,
    inPreview: s.inPreview,
    webhookUrl: webhookUrl(s.id),
    environments,
  };
}

/**
 * Changes the settings. Like the service's other settings it takes a developer, or an admin when the service's
 * environment is protected; a protected base environment (whose configuration previews copy) takes an admin too.
 */
export async function updatePreviewSettings(ctx: TeamContext, serviceId: string, input: unknown) {
  const s = await gitServiceOf(ctx, serviceId);
  assertCanChange(ctx, s.environment);
  if (s.inPreview) throw new ValidationError(`${s.environment.name} is a pull request's preview: previews are set on the service it was cloned from.`);
  const data = parseInput(previewSettingsInput, input);
  const environments = await baseChoices(s.environment.project.id);
  const baseId = data.previewBaseEnvironmentId ?? s.environment.id;
  const base = environments.find((e) => e.id === baseId);
  if (!base) {
    const message = "Choose an environment of this project (not a preview).";
    throw new ValidationError(message, { previewBaseEnvironmentId: [message] });
  }
  assertCanChange(ctx, base);
  // A protected base chosen before stays an admin's to change, even when switching away from it.
  const before = environments.find((e) => e.id === s.previewBaseEnvironmentId);
  if (before) assertCanChange(ctx, before);
  if (data.previewStatusToken) {
    const apiHost = s.gitUrl ? statusApiHost(s.gitUrl) : null;
    if (!apiHost) {
      const message = "Commit statuses need the repository on an https or ssh URL.";
      throw new ValidationError(message, { previewStatusToken: [message] });
    }
    // The token goes to the API host: the outbound rules hold when it is saved as well as when it is sent.
    await assertOutboundAllowed("previewStatusToken", "Refused API host", apiHost.replace(/:\d+$/, ""), {
      allowPrivateNetworks: s.host?.allowPrivateNetworks ?? false,
    });
  }
  const token = data.previewStatusToken
    ? seal(data.previewStatusToken, statusTokenAad(s.id), masterKeysFromEnv())
    : data.clearStatusToken
      ? null
      : s.previewStatusToken;
  await db.$transaction(async (tx) => {
    await tx.service.update({
      where: { id: s.id },
      data: { previewsEnabled: data.previewsEnabled, previewBaseEnvironmentId: base.id, previewTtlHours: data.previewTtlHours, previewStatusToken: token },
    });
    await recordAudit(tx, ctx.actor, {
      teamId: ctx.team.id,
      action: "service.previews.update",
      target: { type: "service", id: s.id, label: s.label },
      data: {
        enabled: data.previewsEnabled,
        base: base.name,
        ttlHours: data.previewTtlHours,
        statusToken: data.previewStatusToken ? "replaced" : data.clearStatusToken && s.previewStatusToken ? "cleared" : token ? "kept" : "none",
      },
    });
  });
  return previewSettings(ctx, s.id);
}

/** Commit status path only: the token in clear, or null when none is set. */
export async function openPreviewStatusToken(serviceId: string): Promise<string | null> {
  const row = await db.service.findUnique({ where: { id: serviceId }, select: { previewStatusToken: true } });
  if (!row) throw new NotFoundError("Service not found");
  return row.previewStatusToken ? open(row.previewStatusToken, statusTokenAad(serviceId), masterKeysFromEnv()) : null;
}

/** The service a preview of the team belongs to (another team's preview is "not found"). */
export async function previewPlace(ctx: TeamContext, previewId: string): Promise<string> {
  authorize(ctx, "project.read");
  const p = await db.preview.findFirst({ where: { id: String(previewId), teamId: ctx.team.id }, select: { serviceId: true } });
  if (!p) throw new NotFoundError("Preview not found");
  return p.serviceId;
}
