// The container this agent runs in, when it runs from Berth's agent image: found by its name (the install
// command names it `berth-agent`; BERTH_AGENT_CONTAINER for a second agent on one engine, as in tests).
import type Dockerode from "dockerode";

export function ownContainerName(): string {
  return process.env.BERTH_AGENT_CONTAINER || "berth-agent";
}

export async function inspectOwnContainer(docker: Dockerode): Promise<Dockerode.ContainerInspectInfo> {
  const name = ownContainerName();
  try {
    return await docker.getContainer(name).inspect();
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode === 404) {
      throw new Error(`This agent's own container "${name}" was not found (the install command names it so; BERTH_AGENT_CONTAINER names another).`);
    }
    throw e;
  }
}

/** Docker no longer starts this container again when it exits (before an exit that must be final). */
export async function stopRestarting(docker: Dockerode): Promise<void> {
  await docker.getContainer(ownContainerName()).update({ RestartPolicy: { Name: "no", MaximumRetryCount: 0 } });
}
