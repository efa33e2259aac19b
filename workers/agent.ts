// Entry point of a host agent: `BERTH_AGENT_URL=… npm run agent` (the command is on the host's page).
import { parseAgentUrl } from "./agent/config";
import { startAgent } from "./agent/start";

async function main() {
  const agent = await startAgent(parseAgentUrl(process.env.BERTH_AGENT_URL));
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => void agent.stop().finally(() => process.exit(0)));
  }
}

main().catch((e) => {
  console.error(`agent: ${(e as Error).message}`);
  process.exit(1);
});
