// After a release went live: its image pushed to Berth's registry as <address>/<repository>:<number>, so any
// host of the team can pull it by digest (promotion, rollback, a moved service). Runs apart from the
// deployment: it neither holds the deployment's slot nor delays LIVE, and a failure only says why the
// release is not in the registry (reported, shown on the deployment's page). The extra tag is removed after.
import type Dockerode from "dockerode";
import type { DeploymentSpec } from "@/lib/hosts/deployment-spec";
import type { ReleaseReport } from "@/lib/hosts/protocol";
import type { AgentConfig } from "../config";
import { dockerMessage } from "../docker/errors";
import { REGISTRY_IDLE_MS, reachRegistry, registryAuth } from "./berth-registry";
import { followProgress, IdleError } from "./progress";

type Outcome = Omit<ReleaseReport, "type" | "at" | "deploymentId">;

/** Extra tags an earlier push of the service left (the agent was killed mid-push): pushes of one service run
 * one at a time (runner.ts), so any found now is stale, and would keep its image on the host. */
async function dropStaleTags(docker: Dockerode, repo: string) {
  const images = await docker.listImages({ filters: { reference: [`${repo}:*`] } }).catch(() => []);
  for (const t of images.flatMap((i) => (i.RepoTags ?? []).filter((t) => t.startsWith(`${repo}:`))))
    await docker
      .getImage(t)
      .remove({ noprune: true })
      .catch(() => {});
}

export async function pushRelease(
  docker: Dockerode,
  spec: Pick<DeploymentSpec, "registry" | "imageTag">,
  image: string,
  cfg: Pick<AgentConfig, "hostId" | "password">,
  signal: AbortSignal,
  log: (line: string) => void = () => {},
): Promise<Outcome> {
  const registry = spec.registry;
  if (!registry) return { error: "Berth has no registry set up." };
  const repo = `${registry.address}/${registry.repository}`;
  const tag = spec.imageTag.slice(spec.imageTag.indexOf(":") + 1);
  try {
    await dropStaleTags(docker, repo);
    if (signal.aborted) return { error: "The host's agent stopped before the push." };
    await reachRegistry(registry.address, registry.ca, registryAuth(cfg, registry.address), `repository:${registry.repository}:pull,push`);
    await docker.getImage(image).tag({ repo, tag });
    try {
      const stream = (await docker.getImage(repo).push({ tag, authconfig: registryAuth(cfg, registry.address), abortSignal: signal })) as NodeJS.ReadableStream;
      const { digest } = await followProgress(docker, stream, { signal, log, idleMs: REGISTRY_IDLE_MS });
      if (!digest) throw new Error("Docker's push ended without the image's digest.");
      return { repository: registry.repository, digest };
    } finally {
      await docker
        .getImage(`${repo}:${tag}`)
        .remove({ noprune: true })
        .catch(() => {});
    }
  } catch (e) {
    if (signal.aborted) return { error: "The host's agent stopped during the push." };
    const why = e instanceof IdleError ? `Berth's registry at ${registry.address} did not answer (${e.message})` : dockerMessage(e);
    return { error: `Pushing ${repo}:${tag} failed: ${why}`.slice(0, 2000) };
  }
}
