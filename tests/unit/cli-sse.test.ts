// The CLI's server-sent events: the parser against the format's rules, and a stream followed across drops.
import { describe, expect, it } from "vitest";
import { CliError, EXIT } from "@/cli/errors";
import { followSse, readSse, type SseEvent, SseParser } from "@/cli/sse";

const feedAll = (chunks: string[]) => {
  const p = new SseParser();
  return chunks.flatMap((c) => p.feed(c));
};

/** A Response whose body arrives in these chunks, then ends (or breaks, as a dropped connection does). */
function streamOf(chunks: string[], opts: { failAfter?: boolean } = {}): Response {
  const enc = new TextEncoder();
  const left = [...chunks];
  return new Response(
    new ReadableStream({
      pull(c) {
        const next = left.shift();
        if (next !== undefined) c.enqueue(enc.encode(next));
        else if (opts.failAfter) c.error(new TypeError("terminated"));
        else c.close();
      },
    }),
  );
}

describe("SSE parser", () => {
  it("reads events with ids, types and multi-line data; skips comments and retry", () => {
    const events = feedAll([`retry: 1000\n\n: comment\nid: 1\ndata: "one"\n\nevent: status\ndata: {"status":\ndata: "BUILDING"}\n\n`]);
    expect(events).toEqual([
      { event: "message", data: '"one"', id: "1" },
      { event: "status", data: '{"status":\n"BUILDING"}', id: "1" },
    ]);
  });

  it("gives the same events however the text is cut, with \\r\\n, \\r or \\n line ends", () => {
    const text = 'id: a\r\ndata: x\r\n\r\nevent: end\rdata: {"status":"LIVE"}\r\rdata:no-space\n\n';
    const whole = feedAll([text]);
    expect(whole).toEqual([
      { event: "message", data: "x", id: "a" },
      { event: "end", data: '{"status":"LIVE"}', id: "a" },
      { event: "message", data: "no-space", id: "a" },
    ]);
    for (let cut = 1; cut < text.length; cut++) expect(feedAll([text.slice(0, cut), text.slice(cut)]), `cut at ${cut}`).toEqual(whole);
    expect(feedAll([...text])).toEqual(whole);
  });

  it("dispatches nothing for a blank line without data, and drops an unfinished last event", async () => {
    expect(feedAll(["event: x\n\n\n"])).toEqual([]);
    const events: SseEvent[] = [];
    for await (const ev of readSse(streamOf(["data: 1\n\ndata: 2\n"]))) events.push(ev);
    expect(events.map((e) => e.data)).toEqual(["1"]);
  });

  it("decodes UTF-8 split across chunks", async () => {
    const bytes = new TextEncoder().encode("data: ▸ é\n\n");
    const body = new ReadableStream({
      start(c) {
        for (const b of bytes) c.enqueue(new Uint8Array([b]));
        c.close();
      },
    });
    const events: SseEvent[] = [];
    for await (const ev of readSse(new Response(body))) events.push(ev);
    expect(events[0]!.data).toBe("▸ é");
  });
});

describe("following a stream", () => {
  it("opens it again after a drop and ends when the handler is done", async () => {
    const opened: number[] = [];
    const seen: string[] = [];
    const bodies = [
      () => streamOf(["id: 1\ndata: a\n\n"], { failAfter: true }),
      () => streamOf(["id: 2\ndata: b\n\n"]),
      () => streamOf(["event: end\ndata: {}\n\n"]),
    ];
    await followSse(
      async () => {
        opened.push(opened.length);
        return bodies[opened.length - 1]!();
      },
      (ev) => {
        seen.push(`${ev.event}:${ev.data}`);
        return ev.event === "end";
      },
      { what: "The log", retries: 1 },
    );
    expect(seen).toEqual(["message:a", "message:b", "end:{}"]);
    expect(opened).toHaveLength(3); // each drop counts against the retries only until an event arrives
  });

  it("gives up after its retries, and at once on a refusal or the server's error event", async () => {
    const closing = followSse(
      async () => streamOf([]),
      () => false,
      { what: "The log", retries: 1 },
    );
    await expect(closing).rejects.toThrow("The log closed before its end.");
    await expect(closing.catch((e: CliError) => e.exitCode)).resolves.toBe(EXIT.unavailable);

    let opens = 0;
    const refused = followSse(
      async () => {
        opens++;
        throw new CliError('This API token lacks the "read" scope.', EXIT.auth);
      },
      () => false,
      { what: "The log", retries: 5 },
    );
    await expect(refused).rejects.toThrow(/lacks the "read" scope/);
    expect(opens).toBe(1);

    opens = 0;
    const broken = followSse(
      async () => {
        opens++;
        return streamOf(['event: error\ndata: "disk full"\n\n']);
      },
      () => false,
      { what: "The log", retries: 5 },
    );
    await expect(broken).rejects.toThrow('Berth could not read The log: "disk full"');
    expect(opens).toBe(1);
  });
});
