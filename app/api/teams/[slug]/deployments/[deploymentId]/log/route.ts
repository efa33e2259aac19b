// The deployment's log as server-sent events. Each event's id is a cursor, so a reconnecting EventSource
// (Last-Event-ID) or a reloaded page (?after=) resumes where it was. Ends with an `end` event.
import { apiTeam } from "@/lib/auth/session";
import { deploymentLog, parseLogCursor } from "@/lib/data/deployments";
import { route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

const POLL_MS = 250;

type P = { slug: string; deploymentId: string };

export const GET = route<P>(async (req, { slug, deploymentId }) => {
  const ctx = await apiTeam(slug);
  let cursor = parseLogCursor(req.headers.get("last-event-id") ?? new URL(req.url).searchParams.get("after"));
  await deploymentLog(ctx, deploymentId, cursor); // not found / forbidden answer before the stream opens
  const encoder = new TextEncoder();
  let closed = false;
  req.signal.addEventListener("abort", () => (closed = true));
  const stream = new ReadableStream({
    async start(controller) {
      const send = (text: string) => {
        if (!closed) controller.enqueue(encoder.encode(text));
      };
      send("retry: 1000\n\n");
      try {
        while (!closed) {
          const { ended, lines } = await deploymentLog(ctx, deploymentId, cursor);
          for (const l of lines) send(`id: ${l.cursor}\ndata: ${JSON.stringify(l.line)}\n\n`);
          if (lines.length) cursor = parseLogCursor(lines.at(-1)!.cursor);
          if (ended) {
            send("event: end\ndata: {}\n\n");
            break;
          }
          await new Promise((r) => setTimeout(r, POLL_MS));
        }
      } catch (e) {
        send(`event: error\ndata: ${JSON.stringify((e as Error).message)}\n\n`);
      }
      closed = true;
      controller.close();
    },
    cancel() {
      closed = true;
    },
  });
  return new Response(stream, { headers: { "content-type": "text/event-stream", "cache-control": "no-cache, no-transform", "x-accel-buffering": "no" } });
});
