// The PULLING step of an image service's deployment: the registry an image reference names must pass the
// outbound address policy with this agent's DNS (lib/net/outbound.ts) before Docker is asked to pull;
// Docker's progress goes to the deployment's log, one line per layer and status; the release tag then keeps
// the exact image, so a rollback finds it whatever the reference names later.
import type Dockerode from "dockerode";
import { pullsEveryTime } from "@/lib/deploy/image-rules";
import { checkOutboundHost, type OutboundPolicy } from "@/lib/net/outbound";
import { imageRegistry } from "@/lib/net/targets";
import type { DeploymentSpec } from "@/lib/hosts/deployment-spec";
import type { AgentConfig } from "../config";
import { dockerMessage } from "../docker/errors";
import { REGISTRY_IDLE_MS, reachRegistry, registryAuth } from "./berth-registry";
import { followProgress, IdleError } from "./progress";

async function localImageId(docker: Dockerode, ref: string): Promise<string | null> {
  return docker
    .getImage(ref)
    .inspect()
    .then((i) => i.Id)
    .catch(() => null);
}

/** Pulls `ref` unless the host has it and it is not `latest` (lib/deploy/image-rules.ts); returns its image id. */
export async function pullImage(
  docker: Dockerode,
  ref: string,
  opts: { policy: OutboundPolicy; signal: AbortSignal; log: (line: string) => void },
): Promise<string> {
  if (!pullsEveryTime(ref)) {
    const id = await localImageId(docker, ref);
    if (id) {
      opts.log(`${ref} is on this host already (image ${id.slice(7, 19)}); a tag other than latest is pulled once`);
      return id;
    }
  }
  // Docker resolves the registry itself, so this checks but cannot pin (a rebinding answer between the two
  // remains possible); Docker Hub, the default, is no user's choice of address.
  const registry = imageRegistry(ref);
  if (registry) {
    const check = await checkOutboundHost(registry.host, opts.policy);
    if (!check.ok) throw new Error(`Refused registry for ${ref}: ${check.error}`);
  }
  await dockerPull(docker, ref, { signal: opts.signal, log: opts.log });
  const id = await localImageId(docker, ref);
  if (!id) throw new Error(`Docker pulled ${ref} but has no image by that name.`);
  return id;
}

/** `docker pull`, its progress in the log; `auth` for a registry that wants a login, `idleMs` to give up on a silent one. */
async function dockerPull(
  docker: Dockerode,
  ref: string,
  opts: { signal: AbortSignal; log: (line: string) => void; authconfig?: ReturnType<typeof registryAuth>; idleMs?: number },
) {
  opts.log(`$ docker pull ${ref}`);
  try {
    const stream = (await docker.pull(ref, { abortSignal: opts.signal, ...(opts.authconfig ? { authconfig: opts.authconfig } : {}) })) as NodeJS.ReadableStream;
    await followProgress(docker, stream, { signal: opts.signal, log: opts.log, idleMs: opts.idleMs });
  } catch (e) {
    if (opts.signal.aborted) throw new Error("cancelled");
    const registry = ref.slice(0, ref.indexOf("/"));
    throw new Error(
      e instanceof IdleError
        ? `Pulling ${ref} failed: the registry at ${registry} did not answer (${e.message}).`
        : `Pulling ${ref} failed: ${dockerMessage(e)}`,
    );
  }
}

type ImageSource = Extract<DeploymentSpec["source"], { kind: "image" }>;

/**
 * A release's exact image, tagged as this deployment's release: this host's copy, or the release pulled by
 * digest from Berth's registry (always for a release that ran on another host; otherwise only if this host
 * lost it). The pulled image must be the release's (same digest, same image id); its digest reference is
 * dropped once tagged, so the image goes with its last release tag like any other. Returns the image id.
 */
export async function releaseImage(
  docker: Dockerode,
  source: ImageSource,
  releaseTag: string,
  opts: {
    registry: DeploymentSpec["registry"];
    cfg: Pick<AgentConfig, "hostId" | "password">;
    signal: AbortSignal;
    log: (line: string) => void;
    pulling: () => Promise<void>;
  },
): Promise<string> {
  if (!source.pull?.always && (await localImageId(docker, source.imageId))) {
    await tagRelease(docker, source.imageId, releaseTag);
    return source.imageId;
  }
  if (!source.pull || !opts.registry) throw new Error(`The image ${source.imageId.slice(7, 19)} is not on this host, and it is not in Berth's registry.`);
  await opts.pulling();
  const { ref } = source.pull;
  const address = opts.registry.address;
  if (!ref.startsWith(`${address}/`)) throw new Error(`${ref} is not in Berth's registry (${address}).`);
  if (!source.pull.always) opts.log(`The image ${source.imageId.slice(7, 19)} is not on this host any more; pulling it from Berth's registry`);
  const repository = ref.slice(address.length + 1, ref.indexOf("@"));
  await reachRegistry(address, opts.registry.ca, registryAuth(opts.cfg, address), `repository:${repository}:pull`).catch((e) => {
    throw new Error(`Pulling ${ref} failed: ${(e as Error).message}`);
  });
  await dockerPull(docker, ref, { signal: opts.signal, log: opts.log, authconfig: registryAuth(opts.cfg, address), idleMs: REGISTRY_IDLE_MS });
  try {
    const id = await localImageId(docker, ref);
    if (id !== source.imageId) throw new Error(`${ref} is image ${id?.slice(7, 19) ?? "(none)"}, not the release's ${source.imageId.slice(7, 19)}.`);
    await tagRelease(docker, id, releaseTag);
    opts.log(`image ${id}`);
    return id;
  } finally {
    await docker
      .getImage(ref)
      .remove({ noprune: true })
      .catch(() => {});
  }
}

/** Tags `image` as the deployment's release (berth-<service id>:<number>); a missing image says so. */
export async function tagRelease(docker: Dockerode, image: string, releaseTag: string) {
  const [repo, tag] = releaseTag.split(":");
  await docker
    .getImage(image)
    .tag({ repo, tag })
    .catch((e) => {
      throw new Error(`The image ${image.slice(7, 19)} is not on this host any more: ${dockerMessage(e)}`);
    });
}
