// Docker's progress stream of a pull or a push: one log line per layer and status (Docker repeats
// "Downloading"/"Pushing" with a progress bar many times a second), its error, and what it says at the end
// (a push's `aux.Digest`). `idleMs`: a registry that stops answering fails the step rather than hanging it.
import type Dockerode from "dockerode";

export type Progress = { status?: string; id?: string; progress?: string; error?: string; errorDetail?: { message?: string }; aux?: { Digest?: string } };

export class IdleError extends Error {}

/** Resolves with the events' `aux` fields merged; rejects with Docker's error, an IdleError, or "cancelled". */
export async function followProgress(
  docker: Dockerode,
  stream: NodeJS.ReadableStream,
  opts: { signal?: AbortSignal; log: (line: string) => void; idleMs?: number },
): Promise<{ digest: string | null }> {
  const destroy = (why?: Error) => (stream as unknown as { destroy: (e?: Error) => void }).destroy?.(why);
  const abort = () => destroy();
  opts.signal?.addEventListener("abort", abort, { once: true });
  let idle: NodeJS.Timeout | undefined;
  let idled = false;
  const touch = () => {
    if (!opts.idleMs) return;
    clearTimeout(idle);
    idle = setTimeout(() => {
      idled = true;
      destroy();
    }, opts.idleMs);
  };
  touch();
  const seen = new Set<string>();
  let failure = "";
  let digest: string | null = null;
  try {
    await new Promise<void>((resolve, reject) =>
      docker.modem.followProgress(
        stream,
        (err: Error | null) => (err ? reject(err) : resolve()),
        (e: Progress) => {
          touch();
          if (e.aux?.Digest) digest = e.aux.Digest;
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
    if (!idled && !opts.signal?.aborted) throw e;
  } finally {
    clearTimeout(idle);
    opts.signal?.removeEventListener("abort", abort);
  }
  if (opts.signal?.aborted) throw new Error("cancelled");
  if (idled) throw new IdleError(`nothing came for ${Math.round((opts.idleMs ?? 0) / 1000)} s`);
  if (failure) throw new Error(failure);
  // A stream cut short (Docker restarted, the idle timer) ends without an error of its own.
  return { digest };
}
