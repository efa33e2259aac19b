// When a delivery that did not get a 2xx is tried again. Pure.
// Default: 5 s, 5 min, 30 min, 2 h, 5 h, 8 h, 8 h after each failed attempt (8 attempts over about 23.6 h),
// then FAILED. BERTH_NOTIFY_RETRY_MS="200,400" replaces the waits (tests).

/** A positive number of milliseconds from the environment (tests shorten waits), or `fallback`. */
export function envMs(name: string, fallback: number, env: Record<string, string | undefined> = process.env): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms <= 0) throw new Error(`${name} is "${raw}": write a positive number of milliseconds`);
  return ms;
}

export const DEFAULT_RETRY_MS = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 28_800_000, 28_800_000];

export function retrySchedule(raw: string | undefined = process.env.BERTH_NOTIFY_RETRY_MS): number[] {
  if (!raw?.trim()) return DEFAULT_RETRY_MS;
  const waits = raw.split(",").map((s) => Number(s.trim()));
  if (waits.some((n) => !Number.isInteger(n) || n < 0))
    throw new Error(`BERTH_NOTIFY_RETRY_MS is "${raw}": write milliseconds separated by commas, e.g. 5000,300000`);
  return waits;
}

/** The wait before the next attempt after `attempts` attempts failed, or null: give up. */
export function nextRetryMs(attempts: number, schedule: number[] = retrySchedule()): number | null {
  return attempts >= 1 && attempts <= schedule.length ? schedule[attempts - 1]! : null;
}

/**
 * Answers that trying again will not change: a 4xx other than 408 (timeout), 425 (too early) and 429
 * (rate limited) says the request itself is refused (a revoked Slack webhook answers 404 or 410). The
 * delivery fails at once; "Resend" tries again after the receiver is fixed.
 */
export function isPermanentStatus(status: number): boolean {
  return status >= 400 && status < 500 && status !== 408 && status !== 425 && status !== 429;
}
