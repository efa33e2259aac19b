// A server-sent event stream that a pump writes to until it returns or the client goes away.
export type Send = (event: { data: unknown; id?: string; event?: string }) => void;

// One serialisation per message, however many streams send it (a team's news goes to each of its open pages).
const serialised = new WeakMap<object, string>();
function json(data: unknown): string {
  if (typeof data !== "object" || data === null) return JSON.stringify(data);
  let s = serialised.get(data);
  if (s === undefined) serialised.set(data, (s = JSON.stringify(data)));
  return s;
}

export function sseResponse(signal: AbortSignal, pump: (send: Send, isOpen: () => boolean) => Promise<void>): Response {
  const encoder = new TextEncoder();
  let open = true;
  signal.addEventListener("abort", () => (open = false));
  const stream = new ReadableStream({
    async start(controller) {
      const send: Send = ({ data, id, event }) => {
        if (!open) return;
        const head = `${id !== undefined ? `id: ${id}\n` : ""}${event ? `event: ${event}\n` : ""}`;
        controller.enqueue(encoder.encode(`${head}data: ${json(data)}\n\n`));
      };
      controller.enqueue(encoder.encode("retry: 1000\n\n"));
      try {
        await pump(send, () => open);
      } catch (e) {
        send({ event: "error", data: (e as Error).message });
      }
      open = false;
      controller.close();
    },
    cancel() {
      open = false;
    },
  });
  return new Response(stream, { headers: { "content-type": "text/event-stream", "cache-control": "no-cache, no-transform", "x-accel-buffering": "no" } });
}
