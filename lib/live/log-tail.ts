// One log tail per web process (lib/redis/stream-tail.ts): one blocked XREAD over the log streams of the running
// deployments that someone in this process is watching hands each new line to those viewers. So a hundred
// viewers of ten deployments cost one blocked read, not a hundred polls.
import { env } from "@/lib/env";
import { deploymentLogKey } from "@/lib/hosts/deployment-spec";
import { createStreamTail, field } from "@/lib/redis/stream-tail";

export { compareEntryIds } from "@/lib/redis/stream-tail";

export type LogEntry = { id: string; line: string };
export type LogBatch = { from: string; entries: LogEntry[] };

const tail = createStreamTail("log-tail");

/**
 * Hands `viewer` the entries of the deployment's log after `after` (an entry id, or "-") as they arrive, until
 * the returned function is called. `behind` is true when the tail has already read past `after`: the viewer
 * should read the log from its cursor once (entries up to the tail's position will not come as a batch).
 */
export function followLog(hostId: string, deploymentId: string, after: string, viewer: (batch: LogBatch) => void) {
  return tail.follow(deploymentLogKey(env.queuePrefix, hostId, deploymentId), after, (b) =>
    viewer({ from: b.from, entries: b.entries.map((e) => ({ id: e.id, line: field(e.fields, "line") ?? "" })) }),
  );
}

/** What the tail follows now (tests, diagnostics). */
export const logTailKeys = () => tail.keys();

/** Closes the tail's connection (tests, shutdown); it is made again when needed. */
export const closeLogTail = () => tail.close();
