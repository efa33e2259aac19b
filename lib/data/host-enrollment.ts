// One-time enrollment of a host: "Add host" (or "New install command") makes a token that only its SHA-256
// keeps (Host.enrollTokenHash, for BERTH_ENROLL_TTL_MS, default an hour); the install command carries it; the
// agent trades it once (POST /api/agent/enroll) for its long-lived password, which no command ever shows.
// These functions serve routes outside the team gate: the token, or the host's own Basic credentials, are the
// authorisation, and each wrong one counts against the caller's address (see `tokenGuesses` below).
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import { backoffMs, THROTTLE } from "@/lib/auth/throttle";
import { db, type Tx } from "@/lib/db";
import { env } from "@/lib/env";
import { AppError, ConflictError, GoneError, NotFoundError, RateLimitError, UnauthorizedError } from "@/lib/errors";
import { currentAgentImage } from "@/lib/hosts/agent-image";
import { type EnrollmentCredentials, enrollmentCredentials, enrollRequest } from "@/lib/hosts/enrollment";
import { ENROLL_TOKEN, installScript, refusalScript } from "@/lib/hosts/install-script";
import { PROTOCOL_VERSION } from "@/lib/hosts/protocol";
import { agentRedisUrl, hostRedisUser, provisionHostUser } from "@/lib/hosts/redis-acl";
import { adminRedis } from "@/lib/redis/admin";
import { parseInput } from "@/lib/validation/parse";
import { recordAudit } from "./audit";
import { authorize, type TeamContext } from "./context";
import { type AuthenticatedHost, authenticateHost, newHostToken, sha256Hex } from "./host-auth";

export const TOKEN_REFUSED = "This install command was already used or has expired: get a new one from the host's page in Berth.";
export const HOST_REFUSED = "This host was removed from Berth, or its credentials changed.";

function enrollTtlMs(): number {
  const v = Number(process.env.BERTH_ENROLL_TTL_MS);
  return Number.isFinite(v) && v > 0 ? v : 60 * 60_000;
}

/** 32 random bytes, base64url, made to start with a letter or digit (a leading `-` reads as an option). */
function newEnrollToken(): string {
  for (;;) {
    const token = randomBytes(32).toString("base64url");
    if (ENROLL_TOKEN.test(token)) return token;
  }
}

/** `warning`: why the command cannot work from another machine (Berth's public address is this machine's loopback). */
export type InstallCommand = { curl: string; wget: string; expiresAt: Date; warning: string | null };

/** The command a person pastes on the new machine, and its twin for machines with wget but no curl. */
export function installCommand(token: string, expiresAt: Date): InstallCommand {
  const url = `${env.publicUrl}/api/agent/install/${token}`;
  const host = new URL(env.publicUrl).hostname;
  const loopback = host === "localhost" || host.endsWith(".localhost") || /^127\./.test(host) || host === "[::1]";
  const warning = loopback
    ? `Berth's address here is ${env.publicUrl}, which another machine cannot reach: set BERTH_PUBLIC_URL to the address hosts reach Berth at and restart it (README, "Adding a host").`
    : null;
  return { curl: `curl -fsSL ${url} | sh`, wget: `wget -qO- ${url} | sh`, expiresAt, warning };
}

/** Gives the host a fresh enrollment token (voiding any earlier one); returns the command that carries it. */
export async function issueEnrollToken(tx: Tx, hostId: string): Promise<InstallCommand> {
  const token = newEnrollToken();
  const expiresAt = new Date(Date.now() + enrollTtlMs());
  await tx.host.update({ where: { id: hostId }, data: { enrollTokenHash: sha256Hex(token), enrollExpiresAt: expiresAt } });
  return installCommand(token, expiresAt);
}

/** "New install command" on a host that is not online (or whose agent speaks another protocol): a fresh token, the old one void. */
export async function newInstallCommand(ctx: TeamContext, hostId: string): Promise<InstallCommand & { name: string }> {
  authorize(ctx, "host.manage");
  const host = await db.host.findFirst({
    where: { id: String(hostId), teamId: ctx.team.id },
    select: { id: true, name: true, isLocal: true, status: true, protocolProblem: true },
  });
  if (!host) throw new NotFoundError("Host not found");
  if (host.isLocal) throw new ConflictError("This machine's agent is started by Berth itself; it needs no install command.");
  // An online agent that speaks another protocol takes no jobs, so installing it again is its only way forward.
  if (host.status === "ONLINE" && !host.protocolProblem) throw new ConflictError(`${host.name} is online: its agent is installed already.`);
  const command = await db.$transaction(async (tx) => {
    const command = await issueEnrollToken(tx, host.id);
    await recordAudit(tx, ctx.actor, { teamId: ctx.team.id, action: "host.install-command", target: { type: "host", id: host.id, label: host.name } });
    return command;
  });
  return { ...command, name: host.name };
}

// ---- Guessing: every wrong token or host password counts against the caller's address. ----

/** Wrong tokens or host passwords one address may send before it waits (1, 2, 4 … minutes, as sign-in does). */
export const FREE_GUESSES = 20;
const GUESS_WINDOW_MS = 15 * 60_000;

function minutes(ms: number) {
  const m = Math.max(1, Math.ceil(ms / 60_000));
  return `${m} minute${m === 1 ? "" : "s"}`;
}

/**
 * Runs `fn` as one guess from `ip`: counted before it runs (so a burst in parallel is counted one by one),
 * and taken back when it succeeds. Past FREE_GUESSES wrong ones in the window, the address is refused for
 * a wait that doubles with each further try, capped at an hour.
 */
async function asGuess<T>(ip: string, fn: () => Promise<T>): Promise<T> {
  const key = `${env.queuePrefix}:agent-token-guesses:${ip}`;
  const redis = adminRedis();
  const [[, count]] = (await redis.multi().incr(key).pexpire(key, GUESS_WINDOW_MS, "NX").exec()) as [[Error | null, number], unknown];
  if (count > FREE_GUESSES) {
    const wait = Math.min(THROTTLE.maxWaitMs, backoffMs(count - 1, FREE_GUESSES));
    await redis.pexpire(key, wait);
    throw new RateLimitError(`Too many wrong install tokens or host passwords from your network. Try again in ${minutes(wait)}.`, Math.ceil(wait / 1000));
  }
  try {
    const result = await fn();
    await redis.decr(key);
    return result;
  } catch (e) {
    if (!(e instanceof GoneError || e instanceof UnauthorizedError)) await redis.decr(key); // not a wrong guess: Berth failed
    throw e;
  }
}

// ---- The agent's side: a token looked at, a token traded, a host's own credentials. ----

export type PendingEnrollment = { hostId: string; hostName: string; expiresAt: Date };

async function pending(token: string): Promise<PendingEnrollment | null> {
  if (!ENROLL_TOKEN.test(token)) return null;
  const host = await db.host.findUnique({ where: { enrollTokenHash: sha256Hex(token) }, select: { id: true, name: true, enrollExpiresAt: true } });
  if (!host?.enrollExpiresAt || host.enrollExpiresAt <= new Date()) return null;
  return { hostId: host.id, hostName: host.name, expiresAt: host.enrollExpiresAt };
}

/** The host a token enrolls, checked (known, unused, unexpired) but not used: for the install script. */
export async function pendingEnrollment(token: string, ip: string): Promise<PendingEnrollment> {
  return asGuess(ip, async () => {
    const p = await pending(token);
    if (!p) throw new GoneError(TOKEN_REFUSED);
    return p;
  });
}

/**
 * The script `curl … | sh` runs for this token, or one that prints why there is none and fails: a refusal
 * is a script too, because `curl -f` would hand `sh` nothing for an error status and the person would see no reason.
 */
export async function installScriptFor(token: string, ip: string): Promise<{ script: string; refused: number | null }> {
  try {
    await pendingEnrollment(token, ip);
    const image = currentAgentImage();
    if (!image)
      throw new AppError("Berth has no agent image yet: on Berth's machine, run npm start with Docker running (it builds the image).", 503, "unavailable");
    return { script: installScript({ berthUrl: env.publicUrl, token, tag: image.tag, sha256: image.sha256 }), refused: null };
  } catch (e) {
    if (e instanceof AppError) return { script: refusalScript(e.message), refused: e.status };
    throw e;
  }
}

/** The CA agents pin; without it no agent can reach Berth's Redis. */
function readCa(): string {
  try {
    return fs.readFileSync(env.caFile, "utf8");
  } catch {
    throw new AppError("Berth has no CA yet: run npm start once.", 503, "unavailable");
  }
}

/**
 * Trades an enrollment token for the host's credentials, exactly once: the token is cleared by one
 * compare-and-set (a second exchange, even at the same moment, finds nothing), the fresh password's hash is
 * stored and Redis gets the login, all in one transaction (a failure leaves the token usable).
 */
export async function exchangeEnrollToken(body: unknown, ip: string): Promise<EnrollmentCredentials> {
  const { token } = parseInput(enrollRequest, body);
  const ca = readCa();
  return asGuess(ip, async () => {
    if (!ENROLL_TOKEN.test(token)) throw new GoneError(TOKEN_REFUSED);
    const tokenHash = sha256Hex(token);
    const password = newHostToken();
    const host = await db.$transaction(async (tx) => {
      const host = await tx.host.findUnique({ where: { enrollTokenHash: tokenHash }, select: { id: true, name: true, teamId: true } });
      if (!host) throw new GoneError(TOKEN_REFUSED);
      const won = await tx.host.updateMany({
        where: { id: host.id, enrollTokenHash: tokenHash, enrollExpiresAt: { gt: new Date() } },
        data: { enrollTokenHash: null, enrollExpiresAt: null, tokenHash: password.tokenHash },
      });
      if (won.count !== 1) throw new GoneError(TOKEN_REFUSED);
      await recordAudit(
        tx,
        { id: null, email: `host:${host.name}` },
        { teamId: host.teamId, action: "host.enroll", target: { type: "host", id: host.id, label: host.name } },
      );
      await provisionHostUser(host.id, password.tokenHash);
      return host;
    });
    // An agent installed earlier for this host (a machine set up again) is cut off: the host has one agent.
    await adminRedis()
      .call("CLIENT", "KILL", "USER", hostRedisUser(host.id))
      .catch(() => 0);
    return enrollmentCredentials.parse({
      hostId: host.id,
      redisUrl: agentRedisUrl(host.id, password.token, env.publicRedisUrl),
      ca,
      berthUrl: env.publicUrl,
      registry: env.publicRegistry,
      protocolVersion: PROTOCOL_VERSION,
      agentVersion: currentAgentImage()?.version ?? "",
    });
  });
}

/** The host whose Basic credentials these are; 401 (a removed host's too) counts as a guess. */
export async function requireHost(authorization: string | null, ip: string): Promise<AuthenticatedHost> {
  return asGuess(ip, async () => {
    const host = await authenticateHost(authorization);
    if (!host) throw new UnauthorizedError(HOST_REFUSED);
    return host;
  });
}

/** Who may download the agent image: the install script (an unused enrollment token) or an enrolled host. */
export async function authorizeImageDownload(req: { token: string | null; authorization: string | null }, ip: string): Promise<void> {
  if (req.authorization) {
    await requireHost(req.authorization, ip);
    return;
  }
  await asGuess(ip, async () => {
    if (!req.token || !(await pending(req.token))) throw new UnauthorizedError("Send an unused install token (?token=) or the host's credentials.");
  });
}
