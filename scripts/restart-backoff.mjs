// How long `npm start` waits before restarting a process that exited: 1 s, doubling to at most 30 s while it
// keeps crashing, and back to 1 s once it had stayed up a minute (a crash after a good run is news, not a loop).
// Pure, so the policy is tested without processes or clocks.

/** @typedef {{ initialMs: number, maxMs: number, resetAfterMs: number }} BackoffPolicy */

/** @type {BackoffPolicy} */
export const RESTART_BACKOFF = { initialMs: 1_000, maxMs: 30_000, resetAfterMs: 60_000 };

/**
 * The wait before the next start.
 * @param {number | null} previousDelayMs the wait before the run that just ended (null: it was the first run)
 * @param {number} uptimeMs how long that run lasted
 * @param {BackoffPolicy} [policy]
 * @returns {number}
 */
export function nextRestartDelay(previousDelayMs, uptimeMs, policy = RESTART_BACKOFF) {
  if (previousDelayMs === null || uptimeMs >= policy.resetAfterMs) return policy.initialMs;
  return Math.min(Math.max(previousDelayMs, policy.initialMs) * 2, policy.maxMs);
}
