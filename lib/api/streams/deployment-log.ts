// A deployment's log as server-sent events. Each event's id is a cursor, so a reconnecting EventSource
// (Last-Event-ID) or a reloaded page (?after=) resumes where it was. A `status` event is sent for every step
// the deployment has begun (from the first, on each connection), and the stream ends with an `end` event
// carrying the outcome.
import type { TeamContext } from "@/lib/data/context";
import { deploymentLog, parseLogCursor } from "@/lib/data/deployments";
import { isTerminal } from "@/lib/deploy/states";
import { sseResponse } from "./sse";

const POLL_MS = 250;

export async function deploymentLogStream(ctx: TeamContext, deploymentId: string, after: string | null, signal: AbortSignal): Promise<Response> {
  let cursor = parseLogCursor(after);
  await deploymentLog(ctx, deploymentId, cursor); // not found / forbidden answer before the stream opens
  return sseResponse(signal, async (send, isOpen) => {
    let stepsSent = 0;
    while (isOpen()) {
      const d = await deploymentLog(ctx, deploymentId, cursor);
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
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  });
}
