// How a host's agent compares with Berth: its wire protocol (a mismatch means no work is sent to it) and its
// version against the agent image Berth serves now (any other version is an older build: Berth serves its newest).

export type AgentStanding = { kind: "incompatible"; message: string } | { kind: "outdated"; message: string } | { kind: "current" } | { kind: "unknown" };

export function agentStanding(host: { agentVersion: string | null; protocolProblem: string | null }, berthVersion: string | null | undefined): AgentStanding {
  if (host.protocolProblem) return { kind: "incompatible", message: host.protocolProblem };
  if (!host.agentVersion || !berthVersion) return { kind: "unknown" };
  if (host.agentVersion === berthVersion) return { kind: "current" };
  return { kind: "outdated", message: `Agent ${host.agentVersion} is older than Berth's ${berthVersion}.` };
}
