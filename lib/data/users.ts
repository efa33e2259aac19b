// Accounts: sign-up (the first account owns the instance; later ones pass the sign-up policy), credential
// checks, own profile and password. Not team-scoped: these act on the signed-in user only. Sessions are in
// sessions.ts, password resets in password-reset.ts.
import { db, type Tx } from "@/lib/db";
import { ConflictError, ForbiddenError, UnauthorizedError, ValidationError } from "@/lib/errors";
import { burnPasswordCheck, hashPassword, verifyPassword } from "@/lib/auth/password";
import { parseInput } from "@/lib/validation/parse";
import { changePasswordInput, signUpInput, updateProfileInput } from "@/lib/validation/schemas";
import { recordAudit } from "./audit";
import type { Actor } from "./context";
import { signUpRefusal } from "./instance-settings";
import { reserveSignInAttempt, settleSignInAttempt } from "./login-attempts";
import { revokeSessions } from "./sessions";
import { isUniqueViolation } from "./unique-violation";

const actorSelect = { id: true, email: true, name: true } as const;

/**
 * Sign-up without an invite. The first account ever owns the instance; every later one must pass the
 * sign-up policy (instance-settings.ts), checked again inside the transaction that creates the account, so
 * a refused sign-up writes nothing.
 */
export async function signUp(input: unknown): Promise<Actor> {
  const { password, ...data } = parseInput(signUpInput, input);
  await refuseUnlessAllowed(db, data.email); // before the costly hash: a refusal costs the caller nothing
  const passwordHash = await hashPassword(password);
  try {
    return await db.$transaction(async (tx) => createAccount(tx, { ...data, passwordHash }, { invited: false }));
  } catch (e) {
    if (isUniqueViolation(e)) {
      throw new ConflictError("An account with this email already exists. Sign in instead.", {
        email: ["An account with this email already exists."],
      });
    }
    throw e;
  }
}

/**
 * Creates the account in the caller's transaction, with its audit row. `invited`: an invite for this email
 * was claimed in the same transaction (invites.ts), which the sign-up policy always lets through.
 */
export async function createAccount(tx: Tx, data: { email: string; name: string; passwordHash: string }, opts: { invited: boolean }): Promise<Actor> {
  const instanceOwner = await isFirstAccount(tx);
  if (!instanceOwner && !opts.invited) await refuseUnlessAllowed(tx, data.email);
  const user = await tx.user.create({ data: { ...data, instanceOwner }, select: actorSelect });
  const note: Record<string, string | boolean> = {};
  if (opts.invited) note.via = "invite";
  if (instanceOwner) note.instanceOwner = true;
  await recordAudit(tx, user, {
    action: "user.signup",
    target: { type: "user", id: user.id, label: user.email },
    data: Object.keys(note).length ? note : undefined,
  });
  return user;
}

/**
 * Whether the account about to be made is the instance's first. Two first sign-ups at once queue on one
 * advisory lock and the second then sees the first's row (each statement reads what is committed), so
 * exactly one becomes the owner; once any account exists no lock is taken.
 */
async function isFirstAccount(tx: Tx): Promise<boolean> {
  if (await tx.user.findFirst({ select: { id: true } })) return false;
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('berth:first-account'))`;
  return !(await tx.user.findFirst({ select: { id: true } }));
}

async function refuseUnlessAllowed(client: Tx, email: string): Promise<void> {
  if (!(await client.user.findFirst({ select: { id: true } }))) return; // the first account: nobody to ask yet
  const refusal = await signUpRefusal(client, email);
  if (refusal) throw new ForbiddenError(refusal);
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
