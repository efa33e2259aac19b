// Sign-in throttling: failures are counted per (account, address) pair, per address and per account
// (rules in lib/auth/throttle.ts). The address is the one Berth's front door determined, never a header
// the client chose.
import { db, type Tx } from "@/lib/db";
import { RateLimitError } from "@/lib/errors";
import { signInVerdict, THROTTLE, type SignInVerdict } from "@/lib/auth/throttle";

const LOCK_SPACE = 0x6272; // advisory lock namespace for sign-in attempts ("br")

function minutes(ms: number): string {
  const m = Math.max(1, Math.ceil(ms / 60_000));
  return `${m} minute${m === 1 ? "" : "s"}`;
}

function refusal(v: Exclude<SignInVerdict, { allowed: true }>): RateLimitError {
  const seconds = Math.ceil(v.retryAfterMs / 1000);
  switch (v.reason) {
    case "account-locked":
      return new RateLimitError("This account is locked after too many failed sign-ins. Reset your password by email to unlock it.", seconds);
    case "pair":
      return new RateLimitError(`Too many failed sign-ins for this account. Try again in ${minutes(v.retryAfterMs)}, or reset your password.`, seconds);
    case "address":
      return new RateLimitError(`Too many failed sign-ins from your network. Try again in ${minutes(v.retryAfterMs)}.`, seconds);
  }
}

async function countFailures(tx: Tx, email: string, ip: string, now: Date) {
  const since = (ms: number) => ({ gte: new Date(now.getTime() - ms) });
  const pair = await tx.loginAttempt.aggregate({
    where: { email, ip, success: false, createdAt: since(THROTTLE.pair.windowMs) },
    _count: true,
    _max: { createdAt: true },
  });
  const address = await tx.loginAttempt.aggregate({
    where: { ip, success: false, createdAt: since(THROTTLE.address.windowMs) },
    _count: true,
    _max: { createdAt: true },
  });
  const account = await tx.loginAttempt.count({ where: { email, success: false, createdAt: since(THROTTLE.account.windowMs) } });
  return {
    pair: { count: pair._count, last: pair._max.createdAt },
    address: { count: address._count, last: address._max.createdAt },
    account: { count: account },
  };
}

/**
 * Refuses a sign-in while `email` or `ip` is throttled; otherwise records the attempt as a failure right
 * away and returns its id for `settleSignInAttempt`. Check and record happen under locks on the address
 * and the account, so a burst of parallel guesses is counted one by one, not all checked against zero.
 */
export async function reserveSignInAttempt(email: string, ip: string): Promise<string> {
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${LOCK_SPACE}::int, hashtext(${`ip:${ip}`}))`;
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${LOCK_SPACE}::int, hashtext(${`email:${email}`}))`;
    const now = new Date();
    // Attempts older than every window no longer count: keep the account's history short.
    await tx.loginAttempt.deleteMany({ where: { email, createdAt: { lt: new Date(now.getTime() - THROTTLE.account.windowMs) } } });
    const verdict = signInVerdict(await countFailures(tx, email, ip, now), now);
    if (!verdict.allowed) throw refusal(verdict);
    const row = await tx.loginAttempt.create({ data: { email, ip, success: false }, select: { id: true } });
    return row.id;
  });
}

/** A right password clears this pair's failures: the owner's own typos do not count against them later. */
export async function settleSignInAttempt(attemptId: string, success: boolean): Promise<void> {
  if (!success) return;
  await db.$transaction(async (tx) => {
    const a = await tx.loginAttempt.update({ where: { id: attemptId }, data: { success: true }, select: { email: true, ip: true } });
    await tx.loginAttempt.deleteMany({ where: { email: a.email, ip: a.ip, success: false } });
  });
}

/** After a password reset: the account starts with a clean slate on every address. */
export async function clearSignInFailures(tx: Tx, email: string): Promise<void> {
  await tx.loginAttempt.deleteMany({ where: { email, success: false } });
}
