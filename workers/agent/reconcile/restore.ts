// Recreating a live release whose container is gone, from the spec the control plane sealed for it (the
// release's own image tag and configuration): started like a deployment's candidate, checked the same way,
// then routed (its image pulled back from Berth's registry by digest if the host lost it). It keeps its
// candidate name until the pass's leftovers are gone; the pass then gives it the stable name. Unlike a
// deployment nothing is reported as a step, and the release's image tag is never removed.
import type Dockerode from "dockerode";
import { maskSecrets } from "@/lib/config/mask";
import type { DeploymentSpec } from "@/lib/hosts/deployment-spec";
import { dockerMessage } from "../docker/errors";
import { isRunning, lastLogLines, startCandidate } from "../deployment/candidate";
import { waitHealthy, waitSteady } from "../deployment/health";
import { releaseImage as pullReleaseImage } from "../deployment/pull";

/** This host's login to Berth's registry (its id and password). */
type RegistryLogin = { hostId: string; password: string };
import type { ReverseProxy } from "../proxy/caddy";

/** The release's image by its tag; re-tagged from its id if only the tag was removed, or pulled back from
 * Berth's registry by digest if the image is gone (and the release was pushed). */
async function releaseImage(docker: Dockerode, spec: DeploymentSpec, signal: AbortSignal, login: RegistryLogin | undefined): Promise<string> {
  const tagged = await docker
    .getImage(spec.imageTag)
    .inspect()
    .then(
      () => true,
      () => false,
    );
  if (tagged) return spec.imageTag;
  if (spec.source.kind !== "image") throw new Error(`its image (${spec.imageTag}) is no longer on this host; deploy again`);
  // Without a login only this host's copy will do.
  const source = { ...spec.source, pull: login ? spec.source.pull : null };
  await pullReleaseImage(docker, source, spec.imageTag, {
    registry: spec.registry,
    cfg: login ?? { hostId: "", password: "" },
    signal,
    log: () => {},
    pulling: async () => {},
  }).catch((e) => {
    throw new Error(`its image (${spec.imageTag}) is no longer on this host (${(e as Error).message}); deploy again`);
  });
  return spec.imageTag;
}

/** Resolves with the new container's id once it serves (and is routed); rejects with the reason otherwise. */
export async function restoreRelease(
  docker: Dockerode,
  proxy: ReverseProxy,
  spec: DeploymentSpec,
  signal: AbortSignal,
  guard: () => boolean,
  login?: RegistryLogin,
): Promise<string> {
  const image = await releaseImage(docker, spec, signal, login);
  const started = await startCandidate(docker, spec, image).catch((e) => {
    throw new Error(dockerMessage(e));
  });
  try {
    if (!started.ip) throw new Error(`it stopped right after it started (exit code ${started.exitCode ?? "unknown"})`);
    const watch = { signal, stillRunning: () => isRunning(started.container) };
    if (spec.port === null) await waitSteady(watch);
    else await waitHealthy({ ip: started.ip, port: spec.port, path: spec.health.path, timeoutSec: spec.health.timeoutSec }, watch);
    if (guard()) throw new Error("a deployment of the service began meanwhile");
    if (spec.route && spec.port) await proxy.setRoute(spec.route.id, spec.route.hosts, `${started.ip}:${spec.port}`, { unless: guard });
    return started.id;
  } catch (e) {
    const lines = (await lastLogLines(docker, started.id, 5)).map((l) => maskSecrets(l, spec.mask));
    await started.container.remove({ force: true }).catch(() => {});
    throw new Error(`${(e as Error).message}${lines.length ? ` (its last lines: ${lines.join(" / ").slice(0, 400)})` : ""}`);
  }
}
