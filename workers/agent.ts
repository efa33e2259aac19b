// Entry point of a host agent. From Berth's agent image (BERTH_AGENT_IMAGE=1, started by the install command)
// it reads the credentials it keeps, or enrolls with BERTH_ENROLL_TOKEN at BERTH_URL on its first start; as a
// process beside Berth, `BERTH_AGENT_URL=… npm run agent`.
import { imageAgentConfig, inAgentImage, parseAgentUrl } from "./agent/config";
import { connectDocker } from "./agent/docker/connect";
import { EnrollmentRefused } from "./agent/enroll";
import { stopRestarting } from "./agent/own-container";
import { startAgent } from "./agent/start";

async function main() {
  const cfg = inAgentImage() ? await imageAgentConfig() : parseAgentUrl(process.env.BERTH_AGENT_URL);
  // How often it reports a snapshot (and so converges on the desired state the control plane answers with),
  // and how often it sends a heartbeat: 30 s and 4 s unless set (tests shorten them).
  const ms = (name: string) => Number(process.env[name]) || undefined;
  const agent = await startAgent(cfg, { snapshotMs: ms("BERTH_RECONCILE_MS"), heartbeatMs: ms("BERTH_HEARTBEAT_MS") });
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => void agent.stop().finally(() => process.exit(0)));
  }
}

main().catch(async (e) => {
  console.error(`agent: ${(e as Error).message}`);
  // A spent or expired token stays so: Docker starting the agent again would only repeat the refusal.
  if (e instanceof EnrollmentRefused && inAgentImage()) {
    await connectDocker()
      .then(({ docker }) => stopRestarting(docker))
      .catch(() => {});
  }
  process.exit(1);
});
