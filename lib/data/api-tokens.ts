// API tokens: a member's credential for scripts, CI and the CLI. The token is shown once; only its SHA-256
// is stored. Each request re-reads the maker's membership, so a token acts with its scopes but never above
// the member's current role, and stops working the moment they leave the team.
import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import { db } from "@/lib/db";
import { ConflictError, ForbiddenError, NotFoundError, UnauthorizedError, ValidationError } from "@/lib/errors";
import type { Role } from "@/lib/generated/prisma/enums";
import { ACTIONS, can, minimumRole, ROLE_LABEL, ROLE_RANK, scopeFor } from "@/lib/permissions";
import { SCOPES, type Scope } from "@/lib/scopes";
import { commaList, id } from "@/lib/validation/fields";
import { parseInput } from "@/lib/validation/parse";
import { recordAudit } from "./audit";
import { authorize, type Actor, type TeamContext } from "./context";

export const TOKEN_PREFIX = "berth_";
const TOKEN_SHAPE = /^berth_[A-Za-z0-9_-]{43}$/;
/** lastUsedAt is written at most this often per token, so a busy CI job does not write on every request. */
const LAST_USED_EVERY_MS = 60_000;

/**
 * The least role that can use each scope at all (the lowest role of any action needing it, from the permission
 * table): a token is not made with a scope its maker could never use.
 */
const SCOPE_MIN_ROLE = Object.fromEntries(
  SCOPES.map((s) => [
    s,
    ACTIONS.filter((a) => scopeFor(a) === s).reduce<Role>((low, a) => (ROLE_RANK[minimumRole(a)] < ROLE_RANK[low] ? minimumRole(a) : low), "OWNER"),
  ]),
) as Record<Scope, Role>;

/** The scopes a member of `role` may put on a token (the page offers only these). */
export function scopesForRole(role: Role): Scope[] {
  return SCOPES.filter((s) => ROLE_RANK[role] >= ROLE_RANK[SCOPE_MIN_ROLE[s]]);
}

/** The least role each scope needs, for the page's hints. */
export function scopeMinimumRole(scope: Scope): Role {
  return SCOPE_MIN_ROLE[scope];
}

export type TokenStatus = "active" | "expired" | "revoked";

function statusOf(t: { revokedAt: Date | null; expiresAt: Date | null }, now: Date): TokenStatus {
  if (t.revokedAt) return "revoked";
  if (t.expiresAt && t.expiresAt <= now) return "expired";
  return "active";
}

/** Scopes as stored, minus any this version of Berth no longer knows (they grant nothing). */
const knownScopes = (scopes: string[]): Scope[] => scopes.filter((s): s is Scope => (SCOPES as readonly string[]).includes(s));

/** A token row as members see it: its status spelled out. */
const shown = <T extends { scopes: string[]; revokedAt: Date | null; expiresAt: Date | null }>(row: T, now = new Date()) => ({
  ...row,
  scopes: knownScopes(row.scopes),
  status: statusOf(row, now),
});

/** Tokens cannot make or revoke tokens: a leaked one must not be able to mint successors or revoke the rest. */
function assertSession(ctx: TeamContext): void {
  if (ctx.grant) throw new ForbiddenError("API tokens cannot manage API tokens; sign in to Berth in a browser.");
}

const scopeList = commaList(
  z
    .array(z.enum(SCOPES, { error: `Scopes are: ${SCOPES.join(", ")}.` }), { error: "Choose at least one scope." })
    .min(1, "Choose at least one scope.")
    .max(SCOPES.length)
    .transform((s) => [...new Set(s)]),
);

const optionalId = z.preprocess((v) => (v === "" || v === null ? undefined : v), id.optional());

export const createTokenInput = z.object({
  name: z.string({ error: "Name the token." }).trim().min(1, "Name the token, e.g. github-actions.").max(60, "Use at most 60 characters."),
  scopes: scopeList,
  /** Days until it stops working; 0 means never. */
  expiresInDays: z.coerce
    .number({ error: "Enter a number of days." })
    .int("Enter a whole number of days.")
    .min(0)
    .max(366, "A token lasts at most 366 days; 0 means it never expires.")
    .default(90),
  projectId: optionalId,
  environmentId: optionalId,
});

export const tokenIdInput = z.object({ tokenId: id });

function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

const listSelect = {
  id: true,
  name: true,
  prefix: true,
  scopes: true,
  expiresAt: true,
  lastUsedAt: true,
  lastUsedIp: true,
  revokedAt: true,
  createdAt: true,
  user: { select: { id: true, email: true, name: true } },
  project: { select: { slug: true, name: true } },
  environment: { select: { slug: true, name: true } },
} as const;

/** A new token for the caller in this team; the returned `token` is the only time it is ever shown. */
export async function createApiToken(ctx: TeamContext, input: unknown) {
  authorize(ctx, "team.read"); // every member may make tokens for themselves, within their role
  assertSession(ctx);
  const data = parseInput(createTokenInput, input);
  const tooMuch = data.scopes.find((s) => !scopesForRole(ctx.role).includes(s));
  if (tooMuch) {
    throw new ValidationError(`A ${ROLE_LABEL[ctx.role].toLowerCase()} cannot use the "${tooMuch}" scope; choose scopes your role allows.`, {
      scopes: [`"${tooMuch}" needs the ${ROLE_LABEL[SCOPE_MIN_ROLE[tooMuch]].toLowerCase()} role or above.`],
    });
  }
  // The audit log names a token's acts by its name, so one member's live tokens need distinct names.
  const taken = await db.apiToken.count({
    where: { teamId: ctx.team.id, userId: ctx.actor.id, name: data.name, revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: new Date() } }] },
  });
  if (taken) throw new ConflictError(`You already have a token called ${data.name}; choose another name or revoke that one.`, { name: ["Already in use."] });
  const limit = await limitOf(ctx, data.projectId, data.environmentId);
  const token = TOKEN_PREFIX + randomBytes(32).toString("base64url");
  const expiresAt = data.expiresInDays ? new Date(Date.now() + data.expiresInDays * 86_400_000) : null;
  return db.$transaction(async (tx) => {
    const row = await tx.apiToken.create({
      data: {
        teamId: ctx.team.id,
        userId: ctx.actor.id,
        name: data.name,
        prefix: token.slice(0, TOKEN_PREFIX.length + 6),
        tokenHash: hashToken(token),
        scopes: data.scopes,
        projectId: limit.projectId,
        environmentId: limit.environmentId,
        expiresAt,
      },
      select: listSelect,
    });
    await recordAudit(tx, ctx.actor, {
      teamId: ctx.team.id,
      action: "token.create",
      target: { type: "api_token", id: row.id, label: row.name },
      data: { scopes: data.scopes, limit: limit.label, expiresAt: expiresAt?.toISOString() ?? null },
    });
    return { ...shown(row), token };
  });
}

/** The project (and environment) a new token is limited to, checked to be the team's own. */
export async function limitOf(ctx: TeamContext, projectId?: string, environmentId?: string) {
  if (environmentId) {
    const env = await db.environment.findFirst({
      where: { id: environmentId, project: { teamId: ctx.team.id } },
      select: { id: true, slug: true, project: { select: { id: true, slug: true } } },
    });
    if (!env || (projectId && env.project.id !== projectId))
      throw new ValidationError("That environment is not one of this team's.", { environmentId: ["Not found."] });
    return { projectId: env.project.id, environmentId: env.id, label: `${env.project.slug}/${env.slug}` };
  }
  if (projectId) {
    const p = await db.project.findFirst({ where: { id: projectId, teamId: ctx.team.id }, select: { id: true, slug: true } });
    if (!p) throw new ValidationError("That project is not one of this team's.", { projectId: ["Not found."] });
    return { projectId: p.id, environmentId: null, label: p.slug };
  }
  return { projectId: null, environmentId: null, label: null };
}

/** The caller's own tokens; admins see every member's (to revoke a leaked one). */
export async function listApiTokens(ctx: TeamContext) {
  authorize(ctx, "team.read");
  assertSession(ctx);
  const rows = await db.apiToken.findMany({
    where: { teamId: ctx.team.id, ...visibleTo(ctx) },
    // Revoked ones last, then newest first.
    orderBy: [{ revokedAt: { sort: "desc", nulls: "first" } }, { createdAt: "desc" }],
    select: listSelect,
  });
  const now = new Date();
  return rows.map((r) => shown(r, now));
}

/** Admins see (and revoke) every member's tokens, to stop a leaked one; others only their own. */
function visibleTo(ctx: TeamContext) {
  return can(ctx.role, "token.manage") ? {} : { userId: ctx.actor.id };
}

/** Revokes a token at once (it stays listed as revoked); revoking a revoked one changes nothing. */
export async function revokeApiToken(ctx: TeamContext, tokenId: string) {
  authorize(ctx, "team.read");
  assertSession(ctx);
  const where = { id: String(tokenId), teamId: ctx.team.id, ...visibleTo(ctx) };
  // Another member's token is "not found" for someone who cannot manage tokens, as in the list.
  const row = await db.apiToken.findFirst({ where, select: { id: true, name: true, revokedAt: true } });
  if (!row) throw new NotFoundError("Token not found");
  if (!row.revokedAt) {
    await db.$transaction(async (tx) => {
      const { count } = await tx.apiToken.updateMany({ where: { id: row.id, revokedAt: null }, data: { revokedAt: new Date() } });
      if (count === 0) return; // revoked meanwhile by someone else, who wrote the audit row
      await recordAudit(tx, ctx.actor, { teamId: ctx.team.id, action: "token.revoke", target: { type: "api_token", id: row.id, label: row.name } });
    });
  }
  const after = await db.apiToken.findUniqueOrThrow({ where: { id: row.id }, select: listSelect });
  return shown(after);
}

/**
 * The team context an API token acts in, for the team named `slug`: the maker's current role there plus the
 * token's grant. A malformed, unknown, revoked or expired token, or one whose maker left the team, is 401;
 * another team's slug is "not found".
 */
export async function tokenTeamContext(token: string, slug: string | null, ip: string): Promise<TeamContext> {
  if (!TOKEN_SHAPE.test(token)) throw new UnauthorizedError("This API token is not valid.");
  const now = new Date();
  const row = await findToken(hashToken(token));
  if (!row || row.revokedAt) throw new UnauthorizedError("This API token was revoked or does not exist.");
  if (row.expiresAt && row.expiresAt <= now) throw new UnauthorizedError(`This API token expired on ${row.expiresAt.toISOString().slice(0, 10)}.`);
  const { role, memberSince } = row;
  // A membership younger than the token means its maker left and came back: leaving ended the token for good.
  if (!role || !memberSince || memberSince > row.createdAt) throw new UnauthorizedError("The member who made this API token is no longer in the team.");
  if (slug !== null && slug !== row.team.slug) throw new NotFoundError("Team not found");
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > LAST_USED_EVERY_MS) {
    await db.apiToken.updateMany({ where: { id: row.id, revokedAt: null }, data: { lastUsedAt: now, lastUsedIp: ip.slice(0, 64) } });
  }
  const actor: Actor = { ...row.user, tokenName: row.name };
  return Object.freeze({
    team: row.team,
    actor,
    role,
    grant: Object.freeze({
      tokenId: row.id,
      name: row.name,
      scopes: knownScopes(row.scopes),
      projectId: row.projectId,
      environmentId: row.environmentId,
    }),
  });
}

type TokenRow = {
  id: string;
  name: string;
  scopes: string[];
  projectId: string | null;
  environmentId: string | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  createdAt: Date;
  user: { id: string; email: string; name: string };
  team: { id: string; slug: string; name: string };
  /** The maker's membership of the token's team now (null once they left). */
  role: Role | null;
  memberSince: Date | null;
};

/**
 * The token with its maker, its team and the maker's membership there, in one round trip: every API request
 * starts here, and Prisma reads each relation with a query of its own (four, one after another).
 */
async function findToken(tokenHash: string): Promise<TokenRow | null> {
  type Flat = Omit<TokenRow, "user" | "team"> & Record<"userId" | "userEmail" | "userName" | "teamId" | "teamSlug" | "teamName", string>;
  const rows = await db.$queryRaw<Flat[]>`
    SELECT t.id, t.name, t.scopes, t."projectId", t."environmentId", t."expiresAt", t."revokedAt", t."lastUsedAt", t."createdAt",
           u.id AS "userId", u.email AS "userEmail", u.name AS "userName",
           tm.id AS "teamId", tm.slug AS "teamSlug", tm.name AS "teamName",
           m.role::text AS role, m."createdAt" AS "memberSince"
    FROM "ApiToken" t
    JOIN "User" u ON u.id = t."userId"
    JOIN "Team" tm ON tm.id = t."teamId"
    LEFT JOIN "Membership" m ON m."teamId" = t."teamId" AND m."userId" = t."userId"
    WHERE t."tokenHash" = ${tokenHash}`;
  const r = rows[0];
  if (!r) return null;
  const { userId, userEmail, userName, teamId, teamSlug, teamName, ...token } = r;
  return { ...token, user: { id: userId, email: userEmail, name: userName }, team: { id: teamId, slug: teamSlug, name: teamName } };
}

/** A token's reads are in the audit log too, under its name (its mutations are, like everyone's, by the data layer). */
export async function recordTokenRead(ctx: TeamContext, operation: string): Promise<void> {
  await recordAudit(db, ctx.actor, { teamId: ctx.team.id, action: "api.read", target: { type: "operation", label: operation } });
}
