// "Update agent": an agent running from Berth's agent image fetches the image Berth serves now and replaces
// its own container (workers/agent/self-update.ts); the services it runs are separate containers and keep running.
import { db } from "@/lib/db";
import { ConflictError } from "@/lib/errors";
import { currentAgentImage } from "@/lib/hosts/agent-image";
import { callHost } from "@/lib/hosts/call-host";
import { agentUpdateJob } from "@/lib/jobs/host-jobs";
import { recordAudit } from "./audit";
import { authorize, type TeamContext } from "./context";
import { getHost } from "./hosts";

const UPDATE_TIMEOUT_MS = 120_000;

export async function updateHostAgent(ctx: TeamContext, hostId: string): Promise<{ from: string; to: string }> {
  authorize(ctx, "host.manage");
  const host = await getHost(ctx, hostId);
  if (!host.agentInContainer) {
    throw new ConflictError(
      `${host.name}'s agent does not run from Berth's agent image, so it cannot update itself: install it again with a new install command.`,
    );
  }
  if (host.protocolProblem) {
    // Such an agent takes no job at all (lib/hosts/handshake.ts), an update included.
    throw new ConflictError(`${host.protocolProblem} It takes no jobs meanwhile, so install it again: make a new install command and run it on the machine.`);
  }
  if (host.status !== "ONLINE") throw new ConflictError(`${host.name} is offline: its agent has not reported for a while.`);
  const image = currentAgentImage();
  if (!image) throw new ConflictError("Berth has no agent image yet: on Berth's machine, run npm start with Docker running (it builds the image).");
  if (host.agentVersion === image.version) throw new ConflictError(`${host.name} already runs agent ${image.version}.`);
  const audit = (data: { from: string | null; to: string; error?: string }) =>
    db.$transaction((tx) =>
      recordAudit(tx, ctx.actor, { teamId: ctx.team.id, action: "host.agent-update", target: { type: "host", id: host.id, label: host.name }, data }),
    );
  try {
    const result = (await callHost(host.id, agentUpdateJob, { version: image.version }, UPDATE_TIMEOUT_MS)) as { from: string; to: string };
    await audit({ from: result.from, to: result.to });
    return result;
  } catch (e) {
    await audit({ from: host.agentVersion, to: image.version, error: (e as Error).message });
    throw e;
  }
}
