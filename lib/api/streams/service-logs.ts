// A service's log lines as server-sent events: `container` names the container read, each line is one event
// `{ line, stream, time }`, and `end` says why the stream stopped. Without `follow` that is right after the
// tail; with it, the host is asked for lines since the last one every second (its agent reads logs once per
// call), a new live container is read from its start, and the stream ends when the service has none running.
import type { TeamContext } from "@/lib/data/context";
import { containerLogs } from "@/lib/data/host-calls";
import { type ServiceContainer, serviceContainer } from "@/lib/data/service-logs";
import { ConflictError } from "@/lib/errors";
import type { LogLine } from "@/lib/hosts/results";
import { type Send, sseResponse } from "./sse";

const POLL_MS = 1000;
/** The most lines one poll takes (the agent's limit): a container printing more per second loses some. */
const POLL_TAIL = 5000;

export async function serviceLogStream(ctx: TeamContext, serviceId: string, opts: { tail: number; follow: boolean }, signal: AbortSignal): Promise<Response> {
  // Not found, no running container, an offline host: answered before the stream opens.
  let target = await serviceContainer(ctx, serviceId);
  // With no tail, the last line still marks where "after" begins (the host's clock, not ours).
  const first = await read(ctx, target, Math.max(opts.tail, 1), null);
  return sseResponse(signal, async (send, isOpen) => {
    announce(send, target);
    let last = opts.tail ? emit(send, first, null) : (first.at(-1)?.ts ?? null);
    if (!opts.follow) {
      send({ event: "end", data: { reason: `The last ${opts.tail} lines were sent.` } });
      return;
    }
    while (isOpen()) {
      await new Promise((r) => setTimeout(r, POLL_MS));
      if (!isOpen()) return;
      let now: ServiceContainer;
      try {
        now = await serviceContainer(ctx, serviceId);
      } catch (e) {
        if (!(e instanceof ConflictError)) throw e;
        send({ event: "end", data: { reason: e.message } });
        return;
      }
      if (now.dockerId !== target.dockerId) {
        target = now; // a new release went live: all its container's lines are new to the reader
        last = null;
        announce(send, target);
      }
      last = emit(send, await read(ctx, target, POLL_TAIL, last), last);
    }
  });
}

function announce(send: Send, c: ServiceContainer) {
  send({ event: "container", data: { hostId: c.hostId, dockerId: c.dockerId, name: c.name } });
}

/** The last `tail` lines, only those after `last` (a Docker timestamp) when given. */
async function read(ctx: TeamContext, c: ServiceContainer, tail: number, last: string | null): Promise<LogLine[]> {
  const since = last ? Math.floor(Date.parse(last) / 1000) : undefined; // whole seconds: filtered to after `last` below
  const { lines } = await containerLogs(ctx, c.hostId, c.dockerId, { tail, since, timestamps: true });
  // A line without a time cannot be told from one already sent: only the tail may carry it.
  return last ? lines.filter((l) => l.ts !== null && timeKey(l.ts) > timeKey(last)) : lines;
}

/** Sends the lines; returns the timestamp of the last one (or `last` when none had one). */
function emit(send: Send, lines: LogLine[], last: string | null): string | null {
  for (const l of lines) {
    send({ data: { line: l.text, stream: l.stream, time: l.ts } });
    if (l.ts) last = l.ts;
  }
  return last;
}

/** Docker's RFC 3339 times drop trailing zeros of the fraction: padded, they compare as strings. */
export function timeKey(ts: string): string {
  const m = /^([^.Z+]+)(?:\.(\d+))?(.*)$/.exec(ts);
  return m ? `${m[1]}.${(m[2] ?? "").padEnd(9, "0")}${m[3]}` : ts;
}
