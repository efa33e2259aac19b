// A host's agent in one word, where it needs attention: another protocol than Berth's, or an older version.
import { Badge } from "@/components/ui/card";
import type { AgentStanding } from "@/lib/hosts/agent-version";

export function AgentBadge({ standing }: { standing: AgentStanding }) {
  if (standing.kind === "incompatible") return <Badge color="red">incompatible agent</Badge>;
  if (standing.kind === "outdated") return <Badge color="amber">agent outdated</Badge>;
  return null;
}
