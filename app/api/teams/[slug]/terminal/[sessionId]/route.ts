// GET: the session's output as server-sent events (base64 chunks, then `end`). POST: keystrokes, resize, close.
import { Redis } from "ioredis";
import { apiTeam } from "@/lib/auth/session";
import { sendTerminalInput, terminalSession } from "@/lib/data/terminal";
import { env } from "@/lib/env";
import { jsonBody, route } from "@/lib/http/route";

type P = { slug: string; sessionId: string };
export const dynamic = "force-dynamic";

export const GET = route<P>(async (req, { slug, sessionId }) => {
  const keys = await terminalSession(await apiTeam(slug), sessionId);
  const reader = new Redis(env.redisUrl, { maxRetriesPerRequest: 1 });
  reader.on("error", () => {});
  const encoder = new TextEncoder();
  let open = true;
  req.signal.addEventListener("abort", () => {
    open = false;
    reader.disconnect();
  });
  const stream = new ReadableStream({
    async start(controller) {
      let last = "0";
      try {
        while (open) {
          const res = (await reader.xread("BLOCK", 15_000, "STREAMS", keys.out, last)) as [string, [string, string[]][]][] | null;
          if (!res) controller.enqueue(encoder.encode(": keepalive\n\n"));
          for (const [, entries] of res ?? []) {
            for (const [id, fields] of entries) {
              last = id;
              if (fields[0] === "end") {
                controller.enqueue(encoder.encode(`event: end\ndata: ${fields[1] ?? ""}\n\n`));
                open = false;
              } else {
                controller.enqueue(encoder.encode(`data: ${fields[1]}\n\n`));
              }
            }
          }
        }
      } catch {
        /* the browser went away, or Redis did */
      }
      reader.disconnect();
      try {
        controller.close();
      } catch {
        /* already closed */
      }
    },
    cancel() {
      open = false;
      reader.disconnect();
    },
  });
  return new Response(stream, { headers: { "content-type": "text/event-stream", "cache-control": "no-cache, no-transform", "x-accel-buffering": "no" } });
});

export const POST = route<P>(async (req, { slug, sessionId }) => {
  await sendTerminalInput(await apiTeam(slug), sessionId, await jsonBody(req));
});
