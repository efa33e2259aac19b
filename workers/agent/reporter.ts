// Appends reports to this host's stream, the only place (with its queue) its Redis user may write. In order,
// and until Redis has taken each one: a report that fails (Redis restarting, this host's login not yet
// provisioned again, the network cut) is sent again after a pause, and the ones behind it wait, so the
// control plane never applies a later report before an earlier one. A caller's promise resolves once its
// report is in the stream. Heartbeats and snapshots describe the present: a newer one replaces an unsent
// older one, moving to the back of the line (a snapshot must not overtake a deployment report sent before it).
import type { Redis } from "ioredis";
import { hostReport, hostReportStream, type HostReport } from "@/lib/hosts/protocol";
import type { AgentConfig } from "./config";

const RETRY_MIN_MS = 200;
const RETRY_MAX_MS = 5000;
const REPLACEABLE = new Set<HostReport["type"]>(["heartbeat", "snapshot"]);

type Entry = { report: HostReport; resolve: () => void; reject: (e: Error) => void };
export type Reporter = ((r: HostReport) => Promise<void>) & { close(): void };

export function createReporter(redis: Redis, cfg: AgentConfig, log: (m: string) => void = () => {}): Reporter {
  const key = hostReportStream(cfg.prefix, cfg.hostId);
  const queue: Entry[] = [];
  let sending: Entry | null = null;
  let closed = false;

  async function pump() {
    if (sending) return;
    let delay = RETRY_MIN_MS;
    let failing = false;
    while (!closed && queue.length) {
      const entry = queue.shift()!;
      sending = entry;
      try {
        await redis.xadd(key, "MAXLEN", "~", "5000", "*", "report", JSON.stringify(entry.report));
        entry.resolve();
        if (failing) log("reports are reaching Redis again");
        failing = false;
        delay = RETRY_MIN_MS;
      } catch (e) {
        if (!failing) log(`a report did not reach Redis (${(e as Error).message}); sending it again until it does`);
        failing = true;
        queue.unshift(entry);
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, RETRY_MAX_MS);
      } finally {
        sending = null;
      }
    }
  }

  const report = (async (r: HostReport) => {
    const checked = hostReport.parse(r);
    if (closed) throw new Error("the agent is stopping");
    if (REPLACEABLE.has(checked.type)) {
      for (let i = queue.length - 1; i >= 0; i--) {
        if (queue[i]!.report.type === checked.type) queue.splice(i, 1)[0]!.resolve(); // superseded
      }
    }
    return new Promise<void>((resolve, reject) => {
      queue.push({ report: checked, resolve, reject });
      void pump();
    });
  }) as Reporter;

  report.close = () => {
    closed = true;
    for (const e of queue.splice(0)) e.reject(new Error("the agent stopped before this report reached Redis"));
  };
  return report;
}
