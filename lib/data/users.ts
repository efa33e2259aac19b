// Accounts: sign-up, credential checks, own profile and password. Not team-scoped: these act on the
// signed-in user only. Sessions are in sessions.ts, password resets in password-reset.ts.
import { db } from "@/lib/db";
import { ConflictError, UnauthorizedError, ValidationError } from "@/lib/errors";
import { burnPasswordCheck, hashPassword, verifyPassword } from "@/lib/auth/password";
import { parseInput } from "@/lib/validation/parse";
import { changePasswordInput, signUpInput, updateProfileInput } from "@/lib/validation/schemas";
import { recordAudit } from "./audit";
import type { Actor } from "./context";
import { reserveSignInAttempt, settleSignInAttempt } from "./login-attempts";
import { revokeSessions } from "./sessions";
import { isUniqueViolation } from "./unique-violation";

const actorSelect = { id: true, email: true, name: true } as const;

export async function signUp(input: unknown): Promise<Actor> {
  const data = parseInput(signUpInput, input);
  const passwordHash = await hashPassword(data.password);
  try {
    return await db.$transaction(async (tx) => {
      const user = await tx.user.create({ data: { email: data.email, name: data.name, passwordHash }, select: actorSelect });
      await recordAudit(tx, user, { action: "user.signup", target: { type: "user", id: user.id, label: user.email } });
      return user;
    });
  } catch (e) {
    if (isUniqueViolation(e)) {
      throw new ConflictError("An account with this email already exists. Sign in instead.", {
        email: ["An account with this email already exists."],
      });
    }
    throw e;
  }
}

/** Checks a sign-in, throttled per account and address (lib/auth/throttle.ts); `ip` comes from the front door. */
export async function verifyCredentials(emailRaw: string, password: string, ip: string): Promise<Actor> {
  const email = String(emailRaw ?? "")
    .trim()
    .toLowerCase();
  if (!email || !password) throw new ValidationError("Enter your email and password.");
  // Nothing the database would refuse (NUL) or no email could be: the same answer as a wrong password.
  if (email.length > 254 || /[\u0000-\u001f\u007f]/.test(email)) throw new UnauthorizedError("That email and password do not match an account.");
  const attempt = await reserveSignInAttempt(email, ip);
  const user = await db.user.findUnique({ where: { email }, select: { ...actorSelect, passwordHash: true } });
  // An unknown email costs the same time as a wrong password.
  const ok = user ? await verifyPassword(password, user.passwordHash) : await burnPasswordCheck(password).then(() => false);
  await settleSignInAttempt(attempt, ok);
  if (!user || !ok) throw new UnauthorizedError("That email and password do not match an account.");
  return { id: user.id, email: user.email, name: user.name };
}

export async function updateProfile(actor: Actor, input: unknown): Promise<Actor> {
  const data = parseInput(updateProfileInput, input);
  return db.$transaction(async (tx) => {
    const user = await tx.user.update({ where: { id: actor.id }, data: { name: data.name }, select: actorSelect });
    await recordAudit(tx, actor, {
      action: "user.update",
      target: { type: "user", id: actor.id, label: actor.email },
      data: { name: { from: actor.name, to: data.name } },
    });
    return user;
  });
}

/**
 * Changes the password. Every other session of this user ends (`currentSessionId` is the caller's, which
 * stays), and reset links sent before the change stop working.
 */
export async function changePassword(actor: Actor, input: unknown, currentSessionId?: string): Promise<void> {
  const data = parseInput(changePasswordInput, input);
  const user = await db.user.findUniqueOrThrow({ where: { id: actor.id }, select: { passwordHash: true } });
  if (!(await verifyPassword(data.currentPassword, user.passwordHash))) {
    throw new ValidationError("Your current password is not correct.", { currentPassword: ["Not correct."] });
  }
  const passwordHash = await hashPassword(data.newPassword);
  await db.$transaction(async (tx) => {
    await tx.user.update({ where: { id: actor.id }, data: { passwordHash } });
    await tx.passwordReset.updateMany({ where: { userId: actor.id, usedAt: null }, data: { usedAt: new Date() } });
    const sessionsEnded = await revokeSessions(tx, actor.id, currentSessionId);
    await recordAudit(tx, actor, { action: "user.password", target: { type: "user", id: actor.id, label: actor.email }, data: { sessionsEnded } });
  });
}

export async function countUsers(): Promise<number> {
  return db.user.count();
}
