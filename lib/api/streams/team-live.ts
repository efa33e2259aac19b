// A team's live stream: tells its open pages what changed (a host, a container, a deployment), with the change
// where a page can patch itself (lib/live/channels.ts); the page re-reads the rest through the data layer,
// which decides what the reader sees. A page names the hosts it shows (`hosts`): news about other hosts' usage
// and containers is left out of its stream.
import type { TeamContext } from "@/lib/data/context";
import { scopeMessage } from "@/lib/live/channels";
import { subscribeTeam } from "@/lib/live/subscribe";
import { sseResponse } from "./sse";

/** A named event that keeps proxies from closing an idle stream; EventSource's onmessage ignores it. */
const KEEPALIVE_MS = 15_000;

export function teamLiveStream(ctx: TeamContext, signal: AbortSignal, hosts: ReadonlySet<string> | null = null): Response {
  return sseResponse(signal, async (send, isOpen) => {
    const ready = () => send({ event: "ready", data: { team: ctx.team.slug } });
    // Ready again after the process's subscriber lost Redis and subscribed again: the page re-reads what it missed.
    const unsubscribe = await subscribeTeam(
      ctx.team.id,
      (msg) => {
        const scoped = scopeMessage(msg, hosts);
        if (scoped) send({ data: scoped });
      },
      ready,
    );
    try {
      ready();
      while (isOpen()) {
        await pause(KEEPALIVE_MS, signal);
        send({ event: "keepalive", data: null });
      }
    } finally {
      unsubscribe();
    }
  });
}

/** Waits `ms`, or less when the caller goes away. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}
