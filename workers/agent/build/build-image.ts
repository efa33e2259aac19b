// Builds an image through the Engine API from a tar of a checkout, streaming Docker's progress. Docker
// reports build errors inside a 200 response: any `error` line in the stream is a failure.
import { spawn } from "node:child_process";
import type Dockerode from "dockerode";
import { validateDockerfilePath, validateSubdirectory } from "@/lib/git/validate";

export type BuildResult = { imageId: string; log: string[] };

export class BuildError extends Error {
  constructor(
    message: string,
    readonly log: string[],
  ) {
    super(message);
  }
}

export async function buildImage(
  docker: Dockerode,
  opts: {
    checkout: string;
    subdirectory?: string;
    dockerfile?: string;
    tag: string;
    labels?: Record<string, string>;
    signal?: AbortSignal;
    onLog?: (line: string) => void;
  },
): Promise<BuildResult> {
  const sub = validateSubdirectory(opts.subdirectory ?? "");
  if (!sub.ok) throw new BuildError(`Refused sub-directory: ${sub.error}`, []);
  const dockerfile = validateDockerfilePath(opts.dockerfile ?? "");
  if (!dockerfile.ok) throw new BuildError(`Refused Dockerfile path: ${dockerfile.error}`, []);
  const context = sub.path ? `${opts.checkout}/${sub.path}` : opts.checkout;
  // tar with an argument array; .git stays out of the build context.
  const tar = spawn("tar", ["-C", context, "--exclude=./.git", "-c", "."], { stdio: ["ignore", "pipe", "pipe"] });
  const log: string[] = [];
  const push = (line: string) => {
    log.push(line);
    opts.onLog?.(line);
  };
  let stream: NodeJS.ReadableStream;
  try {
    stream = await docker.buildImage(tar.stdout, {
      t: opts.tag,
      dockerfile: dockerfile.path,
      ...(opts.labels ? { labels: opts.labels } : {}),
      rm: true,
      forcerm: true,
      abortSignal: opts.signal,
    } as Dockerode.ImageBuildOptions);
  } catch (e) {
    tar.kill();
    throw new BuildError(`Docker refused the build: ${(e as Error).message}`, log);
  }
  const abort = () => (stream as unknown as { destroy: () => void }).destroy?.();
  opts.signal?.addEventListener("abort", abort, { once: true });
  let imageId = "";
  let failure = "";
  await new Promise<void>((resolve, reject) => {
    let buf = "";
    stream.on("data", (chunk: Buffer) => {
      buf += chunk.toString();
      let i: number;
      while ((i = buf.indexOf("\n")) >= 0) {
        const raw = buf.slice(0, i).trim();
        buf = buf.slice(i + 1);
        if (!raw) continue;
        let msg: { stream?: string; error?: string; errorDetail?: { message?: string }; aux?: { ID?: string } };
        try {
          msg = JSON.parse(raw);
        } catch {
          push(raw);
          continue;
        }
        if (msg.stream) for (const l of msg.stream.split("\n")) if (l.trim()) push(l.replace(/\s+$/, ""));
        if (msg.aux?.ID) imageId = msg.aux.ID;
        if (msg.error) {
          failure = msg.errorDetail?.message ?? msg.error;
          push(failure);
        }
      }
    });
    stream.on("end", resolve);
    stream.on("close", resolve);
    stream.on("error", reject);
  }).finally(() => opts.signal?.removeEventListener("abort", abort));
  if (opts.signal?.aborted) throw new BuildError("cancelled", log);
  if (failure) throw new BuildError(`The build failed: ${failure}`, log);
  if (!imageId) imageId = (await docker.getImage(opts.tag).inspect()).Id;
  return { imageId, log };
}
