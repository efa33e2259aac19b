// A shallow checkout of exactly one commit into a fresh directory: `git fetch --depth 1 <url> <sha>` when the
// commit is known (a push, or the branch tip resolved by ls-remote), else the branch or tag itself. Servers
// that refuse to hand out a commit by id (protocol v0 without uploadpack.allowReachableSHA1InWant, e.g. a
// plain OpenSSH server) get the branch fetched instead: its tip must then be the commit asked for, unless the
// caller accepts whatever the branch holds now (a manual deploy, which records what it built). The ref and
// commit are validated again here, the repository through openRemote (git-remote.ts).
import { gitProblem, formatGitProblem } from "@/lib/git/explain";
import { validateCommitSha, validateRef } from "@/lib/git/validate";
import { GitError, openRemote, type RemoteOptions } from "./git-remote";

export type CloneResult = { commit: string; message: string; author: string };

const UNADVERTISED = /unadvertised object|not our ref/;
const WHAT = "git clone failed: ";

export async function cloneRepo(
  opts: RemoteOptions & {
    ref: string;
    dir: string;
    /** Fetch exactly this commit. */
    commit?: string | null;
    /** With `commit`: a server that cannot fetch by id may give the branch's tip instead (manual deploys). */
    tipWillDo?: boolean;
    onOutput?: (line: string) => void;
  },
): Promise<CloneResult> {
  const ref = validateRef(opts.ref);
  if (!ref.ok) throw new Error(`Refused branch or tag: ${ref.error}`);
  const sha = opts.commit ? validateCommitSha(opts.commit) : null;
  if (sha && !sha.ok) throw new Error(`Refused commit: ${sha.error}`);
  const remote = await openRemote(opts);
  const explain = { ref: ref.ref, commit: sha?.ok ? sha.sha : null };

  const init = await remote.local(["init", "--quiet", "--", opts.dir]);
  if (init.code !== 0) throw new Error(`git init failed: ${init.stderr.trim()}`);
  const fetch = (what: string) =>
    remote.git(["-C", opts.dir, "fetch", "--depth", "1", "--no-tags", "--", remote.url, what], { what: WHAT, explain, onOutput: opts.onOutput });
  if (sha?.ok) {
    try {
      await fetch(sha.sha);
    } catch (e) {
      if (!(e instanceof GitError) || !UNADVERTISED.test(e.problem.reason)) throw e;
      opts.onOutput?.(`The server does not hand out commits by id; fetching ${ref.ref} instead`);
      await fetch(ref.ref);
    }
  } else {
    await fetch(ref.ref);
  }
  const head = await remote.local(["-C", opts.dir, "rev-parse", "--verify", "--quiet", "FETCH_HEAD^{commit}"]);
  const fetched = head.stdout.trim();
  if (head.code !== 0 || !/^[0-9a-f]{40}(?:[0-9a-f]{24})?$/.test(fetched)) throw new Error(`git fetch brought no commit: ${head.stderr.trim()}`);
  if (sha?.ok && fetched !== sha.sha && !opts.tipWillDo) {
    const problem = gitProblem(
      "commit-not-found",
      { access: remote.access, ...explain },
      `The server does not hand out commits by id (git config uploadpack.allowReachableSHA1InWant true allows it), and ${ref.ref} is now at ${fetched.slice(0, 12)}.`,
    );
    throw new GitError(formatGitProblem(problem, WHAT), problem);
  }
  const checkout = await remote.local(["-C", opts.dir, "checkout", "--quiet", "--detach", fetched]);
  if (checkout.code !== 0) throw new Error(`git checkout failed: ${checkout.stderr.trim()}`);
  const log = await remote.local(["-C", opts.dir, "log", "-1", "--format=%H%x00%s%x00%an <%ae>"]);
  if (log.code !== 0) throw new Error(`git log failed: ${log.stderr.trim()}`);
  const [commit, message, author] = log.stdout.trim().split("\0");
  return { commit: commit!, message: message ?? "", author: author ?? "" };
}
