// Runs a program with an argument array (never a shell), collecting its output, stoppable by an AbortSignal.
import { spawn } from "node:child_process";

export type ProcessResult = { code: number | null; stdout: string; stderr: string };

export function runProcess(
  cmd: string,
  args: string[],
  opts: { env: Record<string, string>; cwd?: string; signal?: AbortSignal; onOutput?: (line: string) => void },
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) return reject(new Error("cancelled"));
    const child = spawn(cmd, args, { env: opts.env as NodeJS.ProcessEnv, cwd: opts.cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    const emit = (chunk: Buffer, into: "out" | "err") => {
      const text = chunk.toString();
      if (into === "out") stdout += text;
      else stderr += text;
      for (const line of text.split(/\r?\n|\r/)) if (line.trim()) opts.onOutput?.(line);
    };
    child.stdout.on("data", (c: Buffer) => emit(c, "out"));
    child.stderr.on("data", (c: Buffer) => emit(c, "err"));
    const abort = () => child.kill("SIGKILL");
    opts.signal?.addEventListener("abort", abort, { once: true });
    child.on("error", reject);
    child.on("close", (code) => {
      opts.signal?.removeEventListener("abort", abort);
      if (opts.signal?.aborted) reject(new Error("cancelled"));
      else resolve({ code, stdout, stderr });
    });
  });
}
