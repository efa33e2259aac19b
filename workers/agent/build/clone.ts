// Shallow clone of one branch or tag into a fresh directory, with git's environment locked down
// (lib/git/env.ts) and the URL and ref validated again here, whatever the control plane checked.
import { gitProcessEnv, validateRef, validateRepoUrl } from "@/lib/git/validate";
import { runProcess } from "./run-process";

export type CloneResult = { commit: string; message: string; author: string };

/** `extraEnv` adds credentials (see git-auth.ts); it cannot override the locked-down git environment. */
export async function cloneRepo(opts: {
  url: string;
  ref: string;
  dir: string;
  allowLocal?: boolean;
  extraEnv?: Record<string, string>;
  signal?: AbortSignal;
  onOutput?: (line: string) => void;
}): Promise<CloneResult> {
  const url = validateRepoUrl(opts.url, { allowLocal: opts.allowLocal });
  if (!url.ok) throw new Error(`Refused repository URL: ${url.error}`);
  const ref = validateRef(opts.ref);
  if (!ref.ok) throw new Error(`Refused branch or tag: ${ref.error}`);
  const env = { ...opts.extraEnv, ...gitProcessEnv(process.env, { allowLocal: opts.allowLocal }) };
  const clone = await runProcess("git", ["clone", "--depth", "1", "--single-branch", "--no-tags", "--branch", ref.ref, "--", url.url, opts.dir], {
    env,
    signal: opts.signal,
    onOutput: opts.onOutput,
  });
  if (clone.code !== 0) throw new Error(`git clone failed: ${clone.stderr.trim().split("\n").slice(-3).join(" ")}`);
  const log = await runProcess("git", ["-C", opts.dir, "log", "-1", "--format=%H%x00%s%x00%an <%ae>"], { env, signal: opts.signal });
  if (log.code !== 0) throw new Error(`git log failed: ${log.stderr.trim()}`);
  const [commit, message, author] = log.stdout.trim().split("\0");
  return { commit: commit!, message: message ?? "", author: author ?? "" };
}
