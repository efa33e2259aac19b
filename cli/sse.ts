// Server-sent events from a fetch Response: a small parser of the text/event-stream format (the WHATWG
// rules: data lines joined by "\n", comments and retry ignored, an event dispatched at a blank line) and an
// async iterator over a response body. Node has no EventSource; this also lets the caller send a token.
import { CliError, EXIT } from "./errors";

export type SseEvent = { event: string; data: string; id: string | null };

export class SseParser {
  private buf = "";
  private data: string[] = [];
  private event = "";
  private id: string | null = null;

  /** Feeds decoded text; returns the events it completed. */
  feed(chunk: string): SseEvent[] {
    this.buf += chunk;
    const out: SseEvent[] = [];
    let start = 0;
    for (let i = 0; i < this.buf.length; i++) {
      const c = this.buf[i];
      if (c !== "\n" && c !== "\r") continue;
      if (c === "\r" && i + 1 === this.buf.length) break; // a "\n" may follow in the next chunk
      const line = this.buf.slice(start, i);
      if (c === "\r" && this.buf[i + 1] === "\n") i++;
      start = i + 1;
      this.line(line, out);
    }
    this.buf = this.buf.slice(start);
    return out;
  }

  private line(line: string, out: SseEvent[]) {
    if (line === "") {
      if (this.data.length) out.push({ event: this.event || "message", data: this.data.join("\n"), id: this.id });
      this.data = [];
      this.event = "";
      return;
    }
    if (line.startsWith(":")) return;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") this.data.push(value);
    else if (field === "event") this.event = value;
    else if (field === "id" && !value.includes("\0")) this.id = value;
  }
}

/** The events of a response body, until the server closes it (an unfinished last event is dropped). */
export async function* readSse(res: Response): AsyncGenerator<SseEvent> {
  if (!res.body) return;
  const parser = new SseParser();
  const decoder = new TextDecoder();
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    yield* parser.feed(decoder.decode(chunk, { stream: true }));
  }
  yield* parser.feed(decoder.decode());
}

/** The stream's own `error` event: Berth failed on its side; opening it again would not help. */
export class StreamError extends CliError {}

/**
 * Reads the events of the stream `open` returns until `handle` says it is done, opening it again (up to
 * `retries` times in a row, waiting a little longer each time) when the connection drops or Berth cannot
 * be reached. A refusal (401, 403, 404, 409) ends it at once.
 */
export async function followSse(
  open: () => Promise<Response>,
  handle: (ev: SseEvent) => boolean | undefined | Promise<boolean | undefined>,
  o: { what: string; retries: number; reconnecting?: () => void },
): Promise<void> {
  let failures = 0;
  for (;;) {
    let lost: unknown = null;
    try {
      for await (const ev of readSse(await open())) {
        failures = 0;
        if (ev.event === "error") throw new StreamError(`Berth could not read ${o.what}: ${ev.data}`, EXIT.unavailable);
        if (await handle(ev)) return;
      }
    } catch (e) {
      if (e instanceof StreamError || (e instanceof CliError && e.exitCode !== EXIT.unavailable)) throw e;
      lost = e;
    }
    if (++failures > o.retries) {
      if (lost instanceof CliError) throw lost;
      throw new CliError(`${o.what} closed before its end${lost ? ` (${(lost as Error).message})` : ""}.`, EXIT.unavailable);
    }
    o.reconnecting?.();
    await new Promise((r) => setTimeout(r, 500 * failures));
  }
}
