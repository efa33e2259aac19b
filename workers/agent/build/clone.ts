// A shallow checkout of one commit into a fresh directory. With a commit (a push): `git fetch --depth 1 <url>
// <sha>`; servers that refuse to hand out a commit by id (protocol v0 without
// uploadpack.allowReachableSHA1InWant, e.g. a plain OpenSSH server) get the branch fetched instead, whose tip
// must then be that commit. Without one (the Deploy button): the branch or tag as it is now, one `git clone`,
// and the caller records the commit it got. The ref and commit are validated again here, the repository
// through openRemote (git-remote.ts).
import { gitProblem, formatGitProblem } from "@/lib/git/explain";
import { validateCommitSha, validateRef } from "@/lib/git/validate";
import { GitError, openRemote, type GitRemote, type RemoteOptions } from "./git-remote";

export type CloneResult = { commit: string; message: string; author: string };

const UNADVERTISED = /unadvertised object|not our ref/;
const WHAT = "git clone failed: ";

async function commitOf(remote: GitRemote, dir: string, rev: string): Promise<CloneResult> {
  const log = await remote.local(["-C", dir, "log", "-1", "--format=%H%x00%s%x00%an <%ae>", rev, "--"]);
  if (log.code !== 0) throw new Error(`git log failed: ${log.stderr.trim()}`);
  const [commit, message, author] = log.stdout.trim().split("\0");
  if (!/^[0-9a-f]{40}(?:[0-9a-f]{24})?$/.test(commit ?? "")) throw new Error("git fetch brought no commit");
  return { commit: commit!, message: message ?? "", author: author ?? "" };
}

export async function cloneRepo(
  opts: RemoteOptions & {
    ref: string;
    dir: string;
    /** Exactly this commit; without it, the branch's tip. */
    commit?: string | null;
    onOutput?: (line: string) => void;
  },
): Promise<CloneResult> {
  const ref = validateRef(opts.ref);
  if (!ref.ok) throw new Error(`Refused branch or tag: ${ref.error}`);
  const sha = opts.commit ? validateCommitSha(opts.commit) : null;
  if (sha && !sha.ok) throw new Error(`Refused commit: ${sha.error}`);
  const remote = await openRemote(opts);
  const explain = { ref: ref.ref, commit: sha?.ok ? sha.sha : null };

  if (!sha?.ok) {
    await remote.git(["clone", "--depth", "1", "--single-branch", "--no-tags", "--branch", ref.ref, "--", remote.url, opts.dir], {
      what: WHAT,
      explain,
      onOutput: opts.onOutput,
    });
    return commitOf(remote, opts.dir, "HEAD");
  }

  const init = await remote.local(["init", "--quiet", "--template=", "--", opts.dir]);
  if (init.code !== 0) throw new Error(`git init failed: ${init.stderr.trim()}`);
  const fetch = (what: string) =>
    remote.git(["-C", opts.dir, "fetch", "--depth", "1", "--no-tags", "--", remote.url, what], { what: WHAT, explain, onOutput: opts.onOutput });
  try {
    await fetch(sha.sha);
  } catch (e) {
    if (!(e instanceof GitError) || !UNADVERTISED.test(e.problem.reason)) throw e;
    opts.onOutput?.(`The server does not hand out commits by id; fetching ${ref.ref} instead`);
    await fetch(ref.ref);
  }
  const fetched = await commitOf(remote, opts.dir, "FETCH_HEAD");
  if (fetched.commit !== sha.sha) {
    const problem = gitProblem(
      "commit-not-found",
      { access: remote.access, ...explain },
      `The server does not hand out commits by id (git config uploadpack.allowReachableSHA1InWant true allows it), and ${ref.ref} is now at ${fetched.commit.slice(0, 12)}.`,
    );
    throw new GitError(formatGitProblem(problem, WHAT), problem);
  }
  const checkout = await remote.local(["-C", opts.dir, "checkout", "--quiet", "--detach", fetched.commit]);
  if (checkout.code !== 0) throw new Error(`git checkout failed: ${checkout.stderr.trim()}`);
  return fetched;
}
