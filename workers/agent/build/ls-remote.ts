// The commit a branch (or tag) names on the server now, asked with `git ls-remote` before anything is fetched:
// a manual deploy learns what it will build (and whether this host built it already), and "Test connection"
// proves the credential and host key work.
import { formatGitProblem, gitProblem } from "@/lib/git/explain";
import { validateRef } from "@/lib/git/validate";
import { GitError, type GitRemote } from "./git-remote";

/** The commit `ref` names: a branch first, else a tag (an annotated tag's commit, not the tag object). */
export async function resolveRef(remote: GitRemote, rawRef: string, opts: { what: string; onOutput?: (line: string) => void }): Promise<string> {
  const ref = validateRef(rawRef);
  if (!ref.ok) throw new Error(`Refused branch or tag: ${ref.error}`);
  const heads = `refs/heads/${ref.ref}`;
  const tags = `refs/tags/${ref.ref}`;
  // --exit-code: 2 when nothing matches, which is an answer, not a failure.
  const r = await remote.git(["ls-remote", "--exit-code", "--", remote.url, heads, tags, `${tags}^{}`], {
    what: opts.what,
    explain: { ref: ref.ref },
    onOutput: opts.onOutput,
    okCodes: [2],
  });
  const found = new Map<string, string>();
  for (const line of r.stdout.split("\n")) {
    const m = /^([0-9a-f]{40}(?:[0-9a-f]{24})?)\t(\S+)$/.exec(line.trim());
    if (m) found.set(m[2]!, m[1]!);
  }
  const sha = found.get(heads) ?? found.get(`${tags}^{}`) ?? found.get(tags);
  if (!sha) {
    const problem = gitProblem("branch-not-found", { access: remote.access, ref: ref.ref }, `git ls-remote lists no branch or tag named ${ref.ref}.`);
    throw new GitError(formatGitProblem(problem, opts.what), problem);
  }
  return sha;
}
