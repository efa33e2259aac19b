// An interactive shell in a container (the console's terminal): a TTY exec over a hijacked connection.
import type Dockerode from "dockerode";
import { toDockerError } from "./errors";

type Size = { cols: number; rows: number };

const EXIT_POLL_MS = 100;
const EXIT_POLL_LIMIT = 50; // the exec's state can lag the connection closing by a moment

/**
 * Starts `cmd` with a TTY of `size` and returns the raw terminal stream (read it: `wait` resolves once the
 * stream has ended, with the exit code, or null if Docker no longer knows the exec).
 */
export async function startExec(
  docker: Dockerode,
  id: string,
  cmd: string[],
  size: Size,
): Promise<{ stream: NodeJS.ReadWriteStream; resize: (s: Size) => Promise<void>; wait: () => Promise<number | null> }> {
  let exec: Dockerode.Exec;
  let stream: NodeJS.ReadWriteStream;
  try {
    exec = await docker.getContainer(id).exec({ Cmd: cmd, Tty: true, AttachStdin: true, AttachStdout: true, AttachStderr: true });
    stream = (await exec.start({ hijack: true, stdin: true, Tty: true })) as NodeJS.ReadWriteStream;
  } catch (err) {
    throw toDockerError(err);
  }

  const resize = async ({ cols, rows }: Size) => {
    try {
      await exec.resize({ w: Math.max(1, Math.floor(cols)), h: Math.max(1, Math.floor(rows)) });
    } catch (err) {
      throw toDockerError(err);
    }
  };
  // API 1.41 has no size on exec start, so the first resize follows it. It can lose a race with a command
  // that exits at once; the session is still valid then, so that failure is not the caller's problem.
  await resize(size).catch(() => undefined);

  const closed = new Promise<void>((resolve) => {
    stream.once("end", resolve);
    stream.once("close", resolve);
    stream.once("error", () => resolve());
  });
  let exitCode: Promise<number | null> | null = null;
  const wait = () =>
    (exitCode ??= closed.then(async () => {
      for (let i = 0; i < EXIT_POLL_LIMIT; i++) {
        const info = await exec.inspect().catch(() => null);
        if (!info) return null;
        if (!info.Running) return info.ExitCode ?? null;
        await new Promise((r) => setTimeout(r, EXIT_POLL_MS));
      }
      return null;
    }));

  return { stream, resize, wait };
}
