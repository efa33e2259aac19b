// A deployment's log as server-sent events. Each event's id is a cursor, so a reconnecting EventSource
// (Last-Event-ID) or a reloaded page (?after=) resumes where it was. A `status` event is sent for every step
// the deployment has begun (from the first, on each connection), and the stream ends with an `end` event
// carrying the outcome.
//
// Pushed, not polled. The stream reads the log once through `deploymentLog` (the backlog after the cursor),
// then follows: new lines come from the process's log tail (one blocked XREAD for all viewers,
// lib/live/log-tail.ts); steps and the end come from the team's live channel, where a `deployment` message for
// this deployment (or its service, when it names none) makes the stream read `deploymentLog` once more from its
// cursor: the new steps, any lines, and, once it ended, the rest of the log from Postgres (its Redis copy may be
// gone) and `end`. A resubscribed channel (Redis was away) means the same re-read. Every line goes through the
// one cursor, so none is sent twice or skipped whichever way it came.
import type { TeamContext } from "@/lib/data/context";
import { deploymentLog, type LogCursor, parseLogCursor } from "@/lib/data/deployments";
import { deploymentLogSource } from "@/lib/data/deployments/log-source";
import { isTerminal } from "@/lib/deploy/states";
import type { LiveMessage } from "@/lib/live/channels";
import { compareEntryIds, followLog, type LogBatch } from "@/lib/live/log-tail";
import { subscribeTeam } from "@/lib/live/subscribe";
import { type Send, sseResponse } from "./sse";

/**
 * A slow re-read beside the pushes, for a message that never came (published while the process's subscriber
 * was reconnecting, before it had subscribed again). Pushes carry the stream; this only bounds how long a lost
 * message can leave it waiting. One small read per viewer per half minute, where the poll made eight a second.
 */
const SAFETY_MS = 30_000;

export async function deploymentLogStream(ctx: TeamContext, deploymentId: string, after: string | null, signal: AbortSignal): Promise<Response> {
  const source = await deploymentLogSource(ctx, deploymentId); // not found / forbidden answer before the stream opens
  return sseResponse(signal, (send, isOpen) => follow({ ctx, deploymentId, ...source }, parseLogCursor(after), send, isOpen, signal));
}

type Target = { ctx: TeamContext; deploymentId: string; hostId: string | null; serviceId: string };

async function follow(t: Target, start: LogCursor, send: Send, isOpen: () => boolean, signal: AbortSignal) {
  let cursor = start;
  let stepsSent = 0;
  let reread = true; // the backlog first
  const batches: LogBatch[] = [];
  let poke = () => {};
  const wanted = () => {
    reread = true;
    poke();
  };
  const concerns = (m: LiveMessage) =>
    m.kind === "deployment" && (m.deploymentId ? m.deploymentId === t.deploymentId : !m.serviceId || m.serviceId === t.serviceId);
  // Subscribed before the first read, so a step taken while reading is not missed.
  const unsubscribe = await subscribeTeam(t.ctx.team.id, (m) => concerns(m) && wanted(), wanted);
  let tail: { stop: () => void } | null = null;
  const onAbort = () => poke();
  signal.addEventListener("abort", onAbort);
  const sendLine = (id: string, line: string) => {
    cursor = { line: cursor.line + 1, entry: id };
    send({ id: `${cursor.line}:${cursor.entry}`, data: line });
  };
  try {
    let readAt = 0;
    while (isOpen()) {
      if (reread) {
        reread = false;
        readAt = Date.now();
        const d = await deploymentLog(t.ctx, t.deploymentId, cursor);
        // Every step the deployment has begun, in order and before the lines read with it, however quick it was.
        for (const step of d.steps.slice(stepsSent))
          send({ event: "status", data: { status: step.status, at: step.at, error: isTerminal(step.status) ? d.error : null } });
        stepsSent = d.steps.length;
        for (const l of d.lines) send({ id: l.cursor, data: l.line });
        if (d.lines.length) cursor = parseLogCursor(d.lines.at(-1)!.cursor);
        if (d.ended) {
          send({ event: "end", data: { status: d.status, error: d.error } });
          return;
        }
        if (!tail && t.hostId) {
          const followed = followLog(t.hostId, t.deploymentId, cursor.entry, (b) => {
            batches.push(b);
            poke();
          });
          tail = followed;
          if (followed.behind) reread = true; // lines other viewers' reads took before this one joined
        }
      }
      while (batches.length && !reread) {
        const b = batches.shift()!;
        // The read started after an entry this stream has not reached: lines in between went by before it joined.
        if (compareEntryIds(b.from, cursor.entry) > 0) reread = true;
        else for (const e of b.entries) if (compareEntryIds(e.id, cursor.entry) > 0) sendLine(e.id, e.line);
      }
      if (reread) {
        batches.length = 0; // the re-read reads them from the log itself
        continue;
      }
      const safetyIn = readAt + SAFETY_MS - Date.now();
      if (safetyIn <= 0) {
        reread = true;
        continue;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, safetyIn);
        poke = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      poke = () => {};
      if (Date.now() - readAt >= SAFETY_MS) reread = true;
    }
  } finally {
    signal.removeEventListener("abort", onAbort);
    unsubscribe();
    tail?.stop();
  }
}
