// Accounts: sign-up, credential checks, own profile and password. Not team-scoped: these act on the
// signed-in user only.
import { db } from "@/lib/db";
import { ConflictError, UnauthorizedError, ValidationError } from "@/lib/errors";
import { burnPasswordCheck, hashPassword, verifyPassword } from "@/lib/auth/password";
import { parseInput } from "@/lib/validation/parse";
import { changePasswordInput, signUpInput, updateProfileInput } from "@/lib/validation/schemas";
import { recordAudit } from "./audit";
import type { Actor } from "./context";
import { assertSignInAllowed, recordSignInAttempt } from "./login-attempts";
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

/** Checks a sign-in, throttling repeated failures. Returns the user and their session version. */
export async function verifyCredentials(emailRaw: string, password: string, ip: string) {
  const email = String(emailRaw ?? "").trim().toLowerCase();
  if (!email || !password) throw new ValidationError("Enter your email and password.");
  await assertSignInAllowed(email, ip);
  const user = await db.user.findUnique({ where: { email }, select: { ...actorSelect, passwordHash: true, sessionVersion: true } });
  const ok = user ? await verifyPassword(password, user.passwordHash) : (await burnPasswordCheck(password), false);
  await recordSignInAttempt(email, ip, ok);
  if (!user || !ok) throw new UnauthorizedError("That email and password do not match an account.");
  return { id: user.id, email: user.email, name: user.name, sessionVersion: user.sessionVersion };
}

/** The live account behind a session, or null when it was deleted or its sessions were revoked. */
export async function findSessionUser(id: string, sessionVersion: number): Promise<Actor | null> {
  const user = await db.user.findUnique({ where: { id }, select: { ...actorSelect, sessionVersion: true } });
  if (!user || user.sessionVersion !== sessionVersion) return null;
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

/** Changes the password and bumps the session version: every other session of this user ends. */
export async function changePassword(actor: Actor, input: unknown): Promise<{ sessionVersion: number }> {
  const data = parseInput(changePasswordInput, input);
  const user = await db.user.findUniqueOrThrow({ where: { id: actor.id }, select: { passwordHash: true } });
  if (!(await verifyPassword(data.currentPassword, user.passwordHash))) {
    throw new ValidationError("Your current password is not correct.", { currentPassword: ["Not correct."] });
  }
  const passwordHash = await hashPassword(data.newPassword);
  return db.$transaction(async (tx) => {
    const updated = await tx.user.update({
      where: { id: actor.id },
      data: { passwordHash, sessionVersion: { increment: 1 } },
      select: { sessionVersion: true },
    });
    await recordAudit(tx, actor, { action: "user.password", target: { type: "user", id: actor.id, label: actor.email } });
    return updated;
  });
}

export async function countUsers(): Promise<number> {
  return db.user.count();
}
