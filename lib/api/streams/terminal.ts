// A terminal session's output as server-sent events: each event's data is a chunk of raw terminal bytes in
// base64, a comment keeps an idle connection open, and `end` carries the shell's exit code. The session's
// Redis reader stops when the caller goes away (`signal`) or cancels the stream.
import type { TeamContext } from "@/lib/data/context";
import { terminalOutput } from "@/lib/data/terminal";

export async function terminalStream(ctx: TeamContext, sessionId: string, signal: AbortSignal): Promise<Response> {
  const done = new AbortController();
  signal.addEventListener("abort", () => done.abort(), { once: true });
  const output = await terminalOutput(ctx, sessionId, done.signal); // a stranger's "not found" comes before the stream
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
}
