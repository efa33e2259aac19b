// Appends reports to this host's stream, the only place (with its queue) its Redis user may write.
import type { Redis } from "ioredis";
import { hostReport, hostReportStream, type HostReport } from "@/lib/hosts/protocol";
import type { AgentConfig } from "./config";

export function createReporter(redis: Redis, cfg: AgentConfig) {
  const key = hostReportStream(cfg.prefix, cfg.hostId);
  return async function report(r: HostReport): Promise<void> {
    const checked = hostReport.parse(r);
    await redis.xadd(key, "MAXLEN", "~", "5000", "*", "report", JSON.stringify(checked));
  };
}
