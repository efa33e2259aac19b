// Sign-in throttling rules, pure: lib/data/login-attempts.ts counts the failures and asks these.
// Three scopes, so that an attacker can slow down guessing but never lock the owner out from elsewhere:
// - one account from one address backs off exponentially after a few failures;
// - one address across all accounts backs off the same way after many;
// - one account across all addresses has a daily cap that only a distributed attack reaches; past it the
//   account is locked until its owner resets the password by email (a path the attacker cannot drive).

const MINUTE = 60_000;

export const THROTTLE = {
  /** One account from one address: this many failures free, then waits of 1, 2, 4 … minutes. */
  pair: { free: 5, windowMs: 24 * 60 * MINUTE },
  /** One address over every account. */
  address: { free: 30, windowMs: 60 * MINUTE },
  /** One account over every address: locked at this many failures within the window. */
  account: { cap: 200, windowMs: 24 * 60 * MINUTE },
  firstWaitMs: MINUTE,
  maxWaitMs: 60 * MINUTE,
} as const;

/** How long to wait after the latest of `failures`: nothing for the first `free`, then doubling, capped. */
export function backoffMs(failures: number, free: number): number {
  if (failures < free) return 0;
  const doublings = Math.min(failures - free, 30); // 2^30 minutes is far past the cap already
  return Math.min(THROTTLE.maxWaitMs, THROTTLE.firstWaitMs * 2 ** doublings);
}

/** Failures counted within each scope's window; `last` is the newest one's time. */
export type FailureCounts = {
  pair: { count: number; last: Date | null };
  address: { count: number; last: Date | null };
  account: { count: number };
};

export type SignInVerdict =
  | { allowed: true }
  | { allowed: false; reason: "account-locked"; retryAfterMs: number }
  | { allowed: false; reason: "pair" | "address"; retryAfterMs: number };

function remaining(scope: { count: number; last: Date | null }, free: number, now: Date): number {
  if (!scope.last) return 0;
  return Math.max(0, scope.last.getTime() + backoffMs(scope.count, free) - now.getTime());
}

export function signInVerdict(f: FailureCounts, now: Date): SignInVerdict {
  if (f.account.count >= THROTTLE.account.cap) return { allowed: false, reason: "account-locked", retryAfterMs: THROTTLE.account.windowMs };
  const pair = remaining(f.pair, THROTTLE.pair.free, now);
  const address = remaining(f.address, THROTTLE.address.free, now);
  if (pair === 0 && address === 0) return { allowed: true };
  return pair >= address ? { allowed: false, reason: "pair", retryAfterMs: pair } : { allowed: false, reason: "address", retryAfterMs: address };
}
