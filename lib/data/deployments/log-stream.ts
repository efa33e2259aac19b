// A deployment's log while it runs: a Redis stream under its host's keys, written (masked) by the agent.
// When the deployment ends, the whole log is copied into Postgres with its final status.
import { env as appEnv } from "@/lib/env";
import { deploymentLogKey } from "@/lib/hosts/deployment-spec";
import { adminRedis } from "@/lib/redis/admin";

const LOG_LIMIT = 2 * 1024 * 1024;

/** Entries after `after` (a stream entry id; "-" for all). */
export async function readLogStream(hostId: string, deploymentId: string, after = "-"): Promise<{ id: string; line: string }[]> {
  const key = deploymentLogKey(appEnv.queuePrefix, hostId, deploymentId);
  const entries = (await adminRedis().xrange(key, after === "-" ? "-" : `(${after}`, "+")) as [string, string[]][];
  return entries.map(([id, fields]) => ({ id, line: fields[fields.indexOf("line") + 1] ?? "" }));
}

/** The whole log as one text, for the copy kept in Postgres (the agent flushes it before reporting the end). */
export async function finalLog(hostId: string | null, deploymentId: string): Promise<string> {
  if (!hostId) return "";
  const lines = await readLogStream(hostId, deploymentId).catch(() => []);
  const text = lines.map((l) => l.line).join("\n");
  return text.length > LOG_LIMIT ? `… (earlier lines dropped)\n${text.slice(-LOG_LIMIT)}` : text;
}
