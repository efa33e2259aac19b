// Deploying an image service the way the console does (a queued deployment run by the host's agent) and
// waiting for it to end.
import Dockerode from "dockerode";
import { db } from "@/lib/db";
import type { TeamContext } from "@/lib/data/context";
import { deployImage } from "@/lib/data/deployments";
import { waitFor } from "./wait";

const docker = new Dockerode();

/** Waits until the deployment is LIVE, FAILED or CANCELLED; returns its row. */
export async function settle(id: string, ms = 60_000) {
  return waitFor(
    () => db.deployment.findUniqueOrThrow({ where: { id } }),
    (d) => ["LIVE", "FAILED", "CANCELLED"].includes(d.status),
    ms,
    100,
  );
}

/** Deploys the service's image and waits for the end; `containerId` is the container it started, if it went live. */
export async function deployImageAndSettle(ctx: TeamContext, serviceId: string, ms = 60_000) {
  const { id } = await deployImage(ctx, serviceId);
  const deployment = await settle(id, ms);
  const [c] = deployment.status === "LIVE" ? await docker.listContainers({ all: true, filters: { label: [`berth.deployment.id=${id}`] } }) : [];
  return { deployment, containerId: c?.Id ?? null };
}

/** Removes the release tags (berth-<service id>:<n>) deployments of these services left on the local Docker. */
export async function removeReleaseTags(serviceIds: string[]) {
  for (const img of await docker.listImages()) {
    for (const tag of img.RepoTags ?? [])
      if (serviceIds.some((id) => tag.startsWith(`berth-${id.toLowerCase()}:`)))
        await docker
          .getImage(tag)
          .remove()
          .catch(() => {});
  }
}
