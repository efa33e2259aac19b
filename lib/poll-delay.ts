// How long a page waits before asking again for what it polls (the container page's logs and stats): 2 s on
// average, each wait drawn from 1.6–2.4 s and counted from the previous answer. Waits of exactly 2 s made pages
// fall into step under load: one slow moment delayed every page's answer alike, so their next asks left
// together, and the server got them all in one burst every 2 s (seen at 1,000 hosts with 12 container pages
// open). The spread undoes that instead of keeping it.
export const POLL_MS = 2000;

export function nextPollIn(random: () => number = Math.random): number {
  return POLL_MS * (0.8 + 0.4 * random());
}
