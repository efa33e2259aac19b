// GET: the session's output as server-sent events (base64 chunks, then `end`). POST: keystrokes, resize, close.
import { apiTeam } from "@/lib/auth/session";
import { sendTerminalInput, terminalOutput } from "@/lib/data/terminal";
import { jsonBody, route } from "@/lib/http/route";

type P = { slug: string; sessionId: string };
export const dynamic = "force-dynamic";

export const GET = route<P>(async (req, { slug, sessionId }) => {
  const done = new AbortController();
  req.signal.addEventListener("abort", () => done.abort());
  const output = await terminalOutput(await apiTeam(slug), sessionId, done.signal);
  const encoder = new TextEncoder();
  const stream = new ReadableStream({
    async start(controller) {
      try {
        for await (const o of output) {
          if (o.type === "idle") controller.enqueue(encoder.encode(": keepalive\n\n"));
          else if (o.type === "end") controller.enqueue(encoder.encode(`event: end\ndata: ${o.code}\n\n`));
          else controller.enqueue(encoder.encode(`data: ${o.data}\n\n`));
        }
      } catch {
        /* the browser went away, or Redis did */
      }
      try {
        controller.close();
      } catch {
        /* already closed */
      }
    },
    cancel() {
      done.abort();
    },
  });
  return new Response(stream, { headers: { "content-type": "text/event-stream", "cache-control": "no-cache, no-transform", "x-accel-buffering": "no" } });
});

export const POST = route<P>(async (req, { slug, sessionId }) => {
  await sendTerminalInput(await apiTeam(slug), sessionId, await jsonBody(req));
});
