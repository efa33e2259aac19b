// The Engine's event stream, narrowed to container events: how the agent learns of state changes at once
// instead of waiting for its next full snapshot.
import { StringDecoder } from "node:string_decoder";
import type Dockerode from "dockerode";
import { toDockerError } from "./errors";

export type ContainerEvent = {
  id: string;
  /** Docker's Action, e.g. "start", "die", "destroy", "health_status: unhealthy". */
  action: string;
  /** When it happened, in milliseconds since the epoch (from Docker's timeNano). */
  time: number;
};

type RawEvent = { Type?: string; Action?: string; status?: string; id?: string; Actor?: { ID?: string }; time?: number; timeNano?: number };

/** Splits newline-delimited JSON that may arrive cut anywhere, even inside a multi-byte character. */
export function createJsonLineParser(onValue: (value: unknown) => void) {
  const decoder = new StringDecoder("utf8");
  let rest = "";
  const take = (line: string) => {
    const trimmed = line.trim();
    if (!trimmed) return;
    try {
      onValue(JSON.parse(trimmed));
    } catch {
      // A malformed line would be a daemon bug; skipping it keeps the stream (and the agent) alive.
    }
  };
  return {
    push(chunk: Buffer | string) {
      rest += typeof chunk === "string" ? chunk : decoder.write(chunk);
      let nl: number;
      while ((nl = rest.indexOf("\n")) >= 0) {
        take(rest.slice(0, nl));
        rest = rest.slice(nl + 1);
      }
    },
    end() {
      take(rest + decoder.end());
      rest = "";
    },
  };
}

export function toContainerEvent(value: unknown): ContainerEvent | null {
  if (!value || typeof value !== "object") return null;
  const e = value as RawEvent;
  if (e.Type !== undefined && e.Type !== "container") return null;
  const id = e.Actor?.ID ?? e.id;
  const action = e.Action ?? e.status;
  if (!id || !action) return null;
  const time = typeof e.timeNano === "number" ? Math.floor(e.timeNano / 1e6) : typeof e.time === "number" ? e.time * 1000 : Date.now();
  return { id, action, time };
}

/**
 * Calls onEvent for each container event and onEnd once when the stream ends or fails (the caller
 * reconnects and re-snapshots). The returned function stops watching; after it, onEnd is not called.
 */
export function watchContainerEvents(docker: Dockerode, onEvent: (e: ContainerEvent) => void, onEnd: (err?: Error) => void): () => void {
  let stopped = false;
  let ended = false;
  let stream: NodeJS.ReadableStream | null = null;

  const finish = (err?: Error) => {
    if (ended || stopped) return;
    ended = true;
    onEnd(err);
  };
  const parser = createJsonLineParser((value) => {
    const event = toContainerEvent(value);
    if (event && !stopped) onEvent(event);
  });

  // The Engine registers the subscriber only after answering, so an event in that gap would be lost;
  // `since` (whole seconds) has it replay from its recent-events buffer instead. A replayed event from
  // just before the call may arrive too, which is harmless to a consumer that re-inspects on events.
  docker.getEvents({ since: Math.floor(Date.now() / 1000), filters: { type: ["container"] } }).then(
    (s) => {
      stream = s;
      if (stopped) return destroy(s);
      s.on("data", (chunk: Buffer) => parser.push(chunk));
      s.on("end", () => {
        parser.end();
        finish();
      });
      // A close without "end" or "error" still means the stream is gone.
      s.on("close", () => finish(new Error("the Docker event stream closed")));
      s.on("error", (err: Error) => finish(err));
    },
    (err: unknown) => finish(toDockerError(err)),
  );

  return () => {
    if (stopped) return;
    stopped = true;
    if (stream) destroy(stream);
  };
}

function destroy(s: NodeJS.ReadableStream) {
  // Destroying an HTTP response emits "aborted"/"error"; listeners already ignore it once stopped.
  s.on("error", () => undefined);
  (s as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
}
