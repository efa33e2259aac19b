// Entry point of a host agent: `BERTH_AGENT_URL=… npm run agent` (the command is on the host's page).
import { parseAgentUrl } from "./agent/config";
import { startAgent } from "./agent/start";

async function main() {
  // How often it reports a snapshot (and so converges on the desired state the control plane answers with),
  // and how often it sends a heartbeat: 30 s and 5 s unless set (tests shorten them).
  const ms = (name: string) => Number(process.env[name]) || undefined;
  const agent = await startAgent(parseAgentUrl(process.env.BERTH_AGENT_URL), { snapshotMs: ms("BERTH_RECONCILE_MS"), heartbeatMs: ms("BERTH_HEARTBEAT_MS") });
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => void agent.stop().finally(() => process.exit(0)));
  }
}

main().catch((e) => {
  console.error(`agent: ${(e as Error).message}`);
  process.exit(1);
});
