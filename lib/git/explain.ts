// What went wrong when git could not read a repository, in words a user can act on: git's (or ssh's, or
// curl's) own reason, stripped of the boilerplate that hides it ("Please make sure you have the correct
// access rights…"), with a hint that depends on how the service reaches its repository. Pure: the agent
// explains a failed clone or connection test with it, and the texts it knows are real ones (see
// tests/unit/git-explain.test.ts, captured from git against OpenSSH and git-http-backend, and GitHub's and
// GitLab's documented answers).

export type GitAccess = "none" | "ssh" | "token";

export const GIT_PROBLEM_KINDS = [
  "deploy-key-refused",
  "repository-not-found",
  "credentials-refused",
  "host-key-changed",
  "host-unresolved",
  "connection-refused",
  "connection-timed-out",
  "branch-not-found",
  "commit-not-found",
  "unknown",
] as const;
export type GitProblemKind = (typeof GIT_PROBLEM_KINDS)[number];

export type GitProblem = {
  kind: GitProblemKind;
  /** One line: what happened. */
  title: string;
  /** git's own words, the lines that say why (at most a few). */
  reason: string;
  /** What to do about it; null when there is nothing specific to say. */
  hint: string | null;
};

export type ExplainContext = {
  access: GitAccess;
  /** The branch or tag asked for, to name it in the hint. */
  ref?: string;
  /** The commit asked for (a push), to name it in the hint. */
  commit?: string | null;
};

const MAX_REASON_LINES = 4;
const MAX_LINE = 300;
/** git says why at the end; reading only the end, in lines of bounded length, keeps every pattern linear. */
const MAX_TAIL = 16 * 1024;
const MAX_SCAN_LINE = 1024;

function tailLines(stderr: string): string[] {
  return (
    (typeof stderr === "string" ? stderr : "")
      .slice(-MAX_TAIL)
      .replace(/\r\n?/g, "\n")
      // Terminal colours and other escapes some servers send in remote: lines.
      .replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, "")
      .split("\n")
      .map((l) => l.slice(0, MAX_SCAN_LINE).trimEnd())
  );
}

// Lines that never say why: git's generic epilogue, ssh's host key banner and its advice about files the user
// never sees (our known_hosts is a temporary file on the host), progress and hang-up noise.
const NOISE = [
  /^fatal: Could not read from remote repository\.?$/,
  /^Please make sure you have the correct access rights$/,
  /^and the repository exists\.?$/,
  /^fatal: the remote end hung up unexpectedly$/,
  /^fatal: early EOF$/,
  /^@+$/,
  /^@\s+WARNING: .*@$/,
  /^IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!$/,
  /^Someone could be eavesdropping on you right now/,
  /^It is also possible that a host key has just been changed\.$/,
  /^Please contact your system administrator\.$/,
  /^Add correct host key in /,
  /^Offending .* key in /,
  /^\s*remove with:$/,
  /^\s*ssh-keygen -f /,
  /^Warning: Permanently added /,
  /^Cloning into /,
  /^remote: (?:Enumerating|Counting|Compressing|Total) /,
  /^warning: Could not find remote branch /,
];

/** git's meaningful lines: noise dropped, the host key fingerprint joined to its announcement. */
export function gitReason(stderr: string): string {
  const lines = tailLines(stderr).filter((l) => l.trim() !== "" && !NOISE.some((re) => re.test(l)));
  const joined: string[] = [];
  for (const line of lines) {
    // "The fingerprint for the ED25519 key sent by the remote host is" / "SHA256:….": one line.
    if (/^SHA256:/.test(line) && joined.length && /remote host is$/.test(joined[joined.length - 1]!)) joined[joined.length - 1] += ` ${line}`;
    else joined.push(line);
  }
  return [...new Set(joined)]
    .slice(-MAX_REASON_LINES)
    .map((l) => (l.length > MAX_LINE ? `${l.slice(0, MAX_LINE)}…` : l))
    .join("\n");
}

type Rule = { kind: GitProblemKind; test: RegExp };

// Order matters: the first rule that matches wins. A changed host key comes first (ssh stops there, and the
// epilogue after it would read as an access problem); "not found" for a branch before "not found" for a
// repository.
const RULES: Rule[] = [
  {
    kind: "host-key-changed",
    test: /REMOTE HOST IDENTIFICATION HAS CHANGED|Host key for .* has changed|No \S+ host key is known for .* strict checking|Host key verification failed/,
  },
  { kind: "branch-not-found", test: /Remote branch .* not found in upstream|couldn't find remote ref/ },
  { kind: "commit-not-found", test: /not our ref [0-9a-f]{40}|unadvertised object [0-9a-f]{40}/ },
  { kind: "deploy-key-refused", test: /Permission denied \(publickey[^)]*\)|Load key .*: (?:invalid format|error in libcrypto)/ },
  {
    kind: "credentials-refused",
    test: /could not read (?:Username|Password) for .*terminal prompts disabled|Authentication failed for|HTTP Basic: Access denied|Invalid username or (?:password|token)|The requested URL returned error: 40[13]\b|Support for password authentication was removed/,
  },
  {
    kind: "repository-not-found",
    test: /Repository not found|repository '.*' not found|does not appear to be a git repository|The project you were looking for could not be found|The requested URL returned error: 404\b/i,
  },
  {
    kind: "host-unresolved",
    test: /Could not resolve hostname|Could not resolve host:|Name or service not known|Temporary failure in name resolution|nodename nor servname/,
  },
  { kind: "connection-timed-out", test: /Connection timed out|Operation timed out|timed out after \d+|port \d+ timed out|Connection to .* timed out/ },
  { kind: "connection-refused", test: /Connection refused|Couldn't connect to server|No route to host|Network is unreachable|Connection reset by peer/ },
];

const KEY_PLACES =
  "GitHub: the repository's Settings → Deploy keys; GitLab: Settings → Repository → Deploy keys; Gitea: Settings → Deploy Keys; a plain server: the git user's ~/.ssh/authorized_keys";

function describe(kind: GitProblemKind, c: ExplainContext): { title: string; hint: string | null } {
  const branch = c.ref ? `"${c.ref}"` : "the branch";
  switch (kind) {
    case "deploy-key-refused":
      return c.access === "ssh"
        ? {
            title: "The git server refused the deploy key",
            hint: `Add this service's deploy key (its public half is on the service page) to the repository, read-only is enough (${KEY_PLACES}). After "New deploy key", replace the old one there.`,
          }
        : {
            title: "The git server wants an SSH key",
            hint: 'An ssh:// or user@host: address needs a key: choose "Deploy key" under Repository access in the service\'s settings and add its public half to the repository, or use the https:// address of a public repository.',
          };
    case "repository-not-found":
      return {
        title: "The repository was not found",
        hint:
          c.access === "none"
            ? 'Check the repository URL. GitHub and GitLab also answer "not found" for a private repository: give the service a deploy key or an access token under Repository access.'
            : `Check the repository URL. GitHub and GitLab also answer "not found" when the ${c.access === "ssh" ? "deploy key" : "access token"} may not read this repository: check that it was added to this very repository.`,
      };
    case "credentials-refused":
      return c.access === "token"
        ? {
            title: "The git server refused the access token",
            hint: "The token may have expired, been revoked, or lack read access to this repository (GitHub fine-grained tokens: Contents: Read; GitLab: read_repository). Paste a new one in the service's settings.",
          }
        : {
            title: "The git server wants credentials",
            hint: 'The repository is private: choose "Access token" (https) or "Deploy key" (ssh) under Repository access in the service\'s settings.',
          };
    case "host-key-changed":
      return {
        title: "The git server's SSH host key changed",
        hint: "The server presented another host key than the one pinned at the first successful clone, so nothing was fetched. If the server's key really changed (a reinstall, a key rotation), an admin can accept the new key on the service page after comparing its fingerprint with the server's; otherwise someone may be intercepting the connection.",
      };
    case "host-unresolved":
      return { title: "The git server's name does not resolve", hint: "Check the host name in the repository URL: this host's DNS does not know it." };
    case "connection-refused":
      return {
        title: "Could not connect to the git server",
        hint: "Nothing accepted the connection: check the host and port in the repository URL and that the git server is running.",
      };
    case "connection-timed-out":
      return {
        title: "The git server did not answer in time",
        hint: "Check the host and port in the repository URL, and that no firewall keeps this host from reaching it.",
      };
    case "branch-not-found":
      return {
        title: `The repository has no branch ${branch}`,
        hint: "Check the branch in the service's settings (names are case-sensitive), or push it first.",
      };
    case "commit-not-found":
      return {
        title: c.commit ? `The commit ${c.commit.slice(0, 12)} is not on the git server` : "The commit is not on the git server",
        hint: "It may have been force-pushed away since the push that asked for it. Deploy again to build the branch as it is now.",
      };
    case "unknown":
      return { title: "git could not read the repository", hint: null };
    default: {
      const never: never = kind;
      throw new Error(`unknown git problem ${String(never)}`);
    }
  }
}

export function explainGitFailure(stderr: string, context: ExplainContext): GitProblem {
  const lines = tailLines(stderr);
  const kind = RULES.find((r) => lines.some((l) => r.test.test(l)))?.kind ?? "unknown";
  return gitProblem(kind, context, gitReason(stderr));
}

/** A problem found without a failing git command (e.g. `git ls-remote` listing no such branch). */
export function gitProblem(kind: GitProblemKind, context: ExplainContext, reason: string): GitProblem {
  return { kind, ...describe(kind, context), reason: reason || "git gave no reason." };
}

/** The problem as one message: the title (after `prefix`, e.g. "git clone failed: "), git's reason, then the
 *  hint on a line starting "Hint: ". */
export function formatGitProblem(p: GitProblem, prefix = ""): string {
  const title = prefix ? `${prefix}${p.title.charAt(0).toLowerCase()}${p.title.slice(1)}` : p.title;
  return [`${title}.`, p.reason, ...(p.hint ? [`Hint: ${p.hint}`] : [])].join("\n");
}
