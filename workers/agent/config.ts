// The agent is configured by one URL: its own Redis user and password, and the queue prefix.
//   BERTH_AGENT_URL=redis://host-<id>:<password>@<redis-host>:6379/?prefix=bull
// `password` is also the host's registry login; `ca` (PEM) is pinned for rediss:// and the registry when the
// agent was enrolled (lib/hosts/enrollment.ts); `berthUrl` is where it enrolled, asked whether it still exists.
export type AgentConfig = { hostId: string; redisUrl: string; prefix: string; password: string; ca?: string; berthUrl?: string };

export function parseAgentUrl(raw: string | undefined): AgentConfig {
  if (!raw) throw new Error("BERTH_AGENT_URL is not set: copy the command from the host's page in Berth.");
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new Error("BERTH_AGENT_URL is not a valid URL.");
  }
  if (u.protocol !== "redis:" && u.protocol !== "rediss:") throw new Error("BERTH_AGENT_URL must be a redis:// or rediss:// URL.");
  const m = /^host-([a-z0-9]{8,40})$/.exec(decodeURIComponent(u.username));
  if (!m || !u.password) throw new Error("BERTH_AGENT_URL must carry the host's user (host-…) and password.");
  const prefix = u.searchParams.get("prefix") || "bull";
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(prefix)) throw new Error("BERTH_AGENT_URL has an invalid prefix.");
  u.search = "";
  return { hostId: m[1]!, redisUrl: u.toString(), prefix, password: decodeURIComponent(u.password) };
}
