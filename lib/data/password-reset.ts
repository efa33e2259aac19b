// "Forgot password?": a single-use link by email, the owner's way back in, including into an account that
// sign-in throttling locked (an attacker guessing passwords cannot read the owner's mail). Only the SHA-256
// of the link's token is stored; the email is an account email (no team) that the control worker delivers.
import { z } from "zod";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { GoneError, NotFoundError, RateLimitError } from "@/lib/errors";
import { hashLinkToken, newLinkToken } from "@/lib/auth/link-token";
import { hashPassword } from "@/lib/auth/password";
import { parseInput } from "@/lib/validation/parse";
import { email as emailField, password as passwordField } from "@/lib/validation/fields";
import { recordAudit } from "./audit";
import { clearSignInFailures } from "./login-attempts";
import { dispatchOutboxEmail, queueOutboxEmail } from "./outbox";
import { revokeSessions } from "./sessions";

export const RESET = {
  lifetimeMs: 60 * 60_000,
  /** Requests from one address (any email), per hour: beyond it the form answers 429. */
  perAddressPerHour: 10,
  /** Links sent to one account per hour: beyond it requests are answered the same but send nothing. */
  perAccountPerHour: 3,
};

const REQUESTED = "user.password-reset.request";
const HOUR = 60 * 60_000;

export function resetUrl(token: string): string {
  return `${env.appUrl}/reset/${token}`;
}

/**
 * Sends a reset link if an account has this email. The caller learns nothing either way: the answer is
 * the same, and the email is handed to the bus without waiting, so the time taken barely differs.
 * Each request is audited outside any team, with the address, which is also what throttles it.
 */
export async function requestPasswordReset(input: unknown, ip: string): Promise<void> {
  const { email } = parseInput(z.object({ email: emailField }), input);
  const since = new Date(Date.now() - HOUR);
  const outboxId = await db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`password-reset:${ip}`}))`;
    const fromAddress = await tx.auditEvent.count({
      where: { teamId: null, action: REQUESTED, createdAt: { gte: since }, data: { path: ["ip"], equals: ip } },
    });
    if (fromAddress >= RESET.perAddressPerHour) {
      throw new RateLimitError("Too many reset requests from your network. Try again in an hour.", 3600);
    }
    const user = await tx.user.findUnique({ where: { email }, select: { id: true, email: true } });
    const recent = user ? await tx.passwordReset.count({ where: { userId: user.id, createdAt: { gte: since } } }) : 0;
    const send = Boolean(user) && recent < RESET.perAccountPerHour;
    await recordAudit(tx, user, { action: REQUESTED, target: { type: "user", id: user?.id, label: email }, data: { ip, sent: send } });
    if (!user || !send) return null;
    const { token, tokenHash } = newLinkToken();
    const expiresAt = new Date(Date.now() + RESET.lifetimeMs);
    await tx.passwordReset.create({ data: { userId: user.id, tokenHash, expiresAt } });
    return queueOutboxEmail(tx, {
      teamId: null,
      to: user.email,
      subject: "Reset your Berth password",
      body: [
        "Someone (hopefully you) asked to reset the password of your Berth account.",
        "",
        `Reset your password: ${resetUrl(token)}`,
        "",
        `The link works once, until ${expiresAt.toUTCString()}. If you did not ask for it, ignore this email: your password stays as it is.`,
      ].join("\n"),
    });
  });
  if (outboxId) void dispatchOutboxEmail(outboxId);
}

function resetStatus(r: { usedAt: Date | null; expiresAt: Date }, now = new Date()) {
  if (r.usedAt) return "used" as const;
  if (r.expiresAt <= now) return "expired" as const;
  return "pending" as const;
}

/** What the reset page shows before the new password is typed: whether the link still works. */
export async function previewPasswordReset(token: string) {
  const reset = await db.passwordReset.findUnique({
    where: { tokenHash: hashLinkToken(String(token)) },
    select: { usedAt: true, expiresAt: true, user: { select: { email: true } } },
  });
  if (!reset) throw new NotFoundError("This reset link is not valid. Ask for a new one.");
  return { email: reset.user.email, status: resetStatus(reset) };
}

/**
 * Sets a new password through a reset link: the link is used up, every session of the account ends,
 * other reset links stop working, and sign-in throttling of the account is cleared.
 */
export async function resetPassword(token: string, input: unknown): Promise<{ email: string }> {
  const { password } = parseInput(z.object({ password: passwordField }), input);
  const passwordHash = await hashPassword(password);
  return db.$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ id: string }[]>`
      SELECT id FROM "PasswordReset" WHERE "tokenHash" = ${hashLinkToken(String(token))} FOR UPDATE`;
    if (!rows[0]) throw new NotFoundError("This reset link is not valid. Ask for a new one.");
    const reset = await tx.passwordReset.findUniqueOrThrow({
      where: { id: rows[0].id },
      select: { id: true, usedAt: true, expiresAt: true, user: { select: { id: true, email: true } } },
    });
    switch (resetStatus(reset)) {
      case "used":
        throw new GoneError("This reset link was already used, or the password changed since it was sent. Ask for a new one.");
      case "expired":
        throw new GoneError("This reset link has expired. Ask for a new one.");
      case "pending":
        break;
    }
    const { user } = reset;
    await tx.user.update({ where: { id: user.id }, data: { passwordHash } });
    await tx.passwordReset.updateMany({ where: { userId: user.id, usedAt: null }, data: { usedAt: new Date() } });
    const sessionsEnded = await revokeSessions(tx, user.id);
    await clearSignInFailures(tx, user.email);
    await recordAudit(tx, user, { action: "user.password-reset", target: { type: "user", id: user.id, label: user.email }, data: { sessionsEnded } });
    return { email: user.email };
  });
}
