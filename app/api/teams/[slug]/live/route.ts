// Server-sent events: tells a team's open pages that something changed. The page then re-reads through
// the data-access layer, so this stream carries ids only and needs no per-row authorisation.
import { apiTeam } from "@/lib/auth/session";
import { subscribeTeam } from "@/lib/live/subscribe";
import { route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

export const GET = route<{ slug: string }>(async (req, { slug }) => {
  const ctx = await apiTeam(slug);
  const encoder = new TextEncoder();
  let cleanup = () => {};
  const stream = new ReadableStream({
    async start(controller) {
      const send = (text: string) => {
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          cleanup();
        }
      };
      const unsubscribe = await subscribeTeam(ctx.team.id, (msg) => send(`data: ${JSON.stringify(msg)}\n\n`));
      const keepalive = setInterval(() => send(`: keepalive\n\n`), 15_000);
      cleanup = () => {
        clearInterval(keepalive);
        unsubscribe();
      };
      req.signal.addEventListener("abort", () => {
        cleanup();
        try {
          controller.close();
        } catch {
          /* already closed */
        }
      });
      send(`retry: 2000\n: connected\n\n`);
    },
    cancel() {
      cleanup();
    },
  });
  return new Response(stream, {
    headers: { "content-type": "text/event-stream", "cache-control": "no-cache, no-transform", connection: "keep-alive", "x-accel-buffering": "no" },
  });
});
