// The PULLING step of an image service's deployment: the registry an image reference names must pass the
// outbound address policy with this agent's DNS (lib/net/outbound.ts) before Docker is asked to pull;
// Docker's progress goes to the deployment's log, one line per layer and status; the release tag then keeps
// the exact image, so a rollback finds it whatever the reference names later.
import type Dockerode from "dockerode";
import { pullsEveryTime } from "@/lib/deploy/image-rules";
import { checkOutboundHost, type OutboundPolicy } from "@/lib/net/outbound";
import { imageRegistry } from "@/lib/net/targets";
import { dockerMessage } from "../docker/errors";

type Progress = { status?: string; id?: string; progress?: string; error?: string; errorDetail?: { message?: string } };

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
  opts.log(`$ docker pull ${ref}`);
  let stream: NodeJS.ReadableStream;
  try {
    stream = (await docker.pull(ref, { abortSignal: opts.signal })) as NodeJS.ReadableStream;
  } catch (e) {
    throw new Error(`Pulling ${ref} failed: ${dockerMessage(e)}`);
  }
  const abort = () => (stream as unknown as { destroy: () => void }).destroy?.();
  opts.signal.addEventListener("abort", abort, { once: true });
  // Docker repeats "Downloading"/"Extracting" with a progress bar many times a second: one line per layer
  // and status is what a reader wants.
  const seen = new Set<string>();
  let failure = "";
  try {
    await new Promise<void>((resolve, reject) =>
      docker.modem.followProgress(
        stream,
        (err: Error | null) => (err ? reject(err) : resolve()),
        (e: Progress) => {
          if (e.error) {
            failure = e.errorDetail?.message ?? e.error;
            return;
          }
          if (!e.status) return;
          const line = e.id ? `${e.id}: ${e.status}` : e.status;
          if (seen.has(line)) return;
          seen.add(line);
          opts.log(line);
        },
      ),
    );
  } catch (e) {
    if (!opts.signal.aborted) throw new Error(`Pulling ${ref} failed: ${dockerMessage(e)}`);
  } finally {
    opts.signal.removeEventListener("abort", abort);
  }
  if (opts.signal.aborted) throw new Error("cancelled");
  if (failure) throw new Error(`Pulling ${ref} failed: ${failure}`);
  const id = await localImageId(docker, ref);
  if (!id) throw new Error(`Docker pulled ${ref} but has no image by that name.`);
  return id;
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
