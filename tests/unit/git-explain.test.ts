// Explaining git failures. The stderr texts below are real: captured from git 2.39 / OpenSSH 9.2 / curl 7.88
// against a local sshd (git-shell behind a forced command) and git-http-backend, as
// tests/integration/git-auth.test.ts and git-hostkeys.test.ts run them, plus GitHub's and GitLab's documented
// answers. tests/integration/git-auth.test.ts also explains live failures with the same function.
import { describe, expect, it } from "vitest";
import { explainGitFailure, formatGitProblem, gitProblem, gitReason, type GitAccess, type GitProblemKind } from "@/lib/git/explain";

const EPILOGUE = "fatal: Could not read from remote repository.\n\nPlease make sure you have the correct access rights\nand the repository exists.\n";

const SSH_PUBLICKEY = `root@127.0.55.1: Permission denied (publickey).\n${EPILOGUE}`;
const SSH_MISSING = `fatal: 'missing.git' does not appear to be a git repository\n${EPILOGUE}`;
const SSH_NO_BRANCH =
  "warning: Could not find remote branch nope to clone.\nfatal: Remote branch nope not found in upstream origin\nfatal: the remote end hung up unexpectedly\n";
const SSH_HOST_KEY_CHANGED = `@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@
@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @
@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@
IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!
Someone could be eavesdropping on you right now (man-in-the-middle attack)!
It is also possible that a host key has just been changed.
The fingerprint for the ED25519 key sent by the remote host is
SHA256:rokhmC9aH5tKgoP6fRTu+uABrSrIHl8NDqEwKB0Tn4w.
Please contact your system administrator.
Add correct host key in /tmp/sshx-dvsK/kh2 to get rid of this message.
Offending ED25519 key in /tmp/sshx-dvsK/kh2:1
  remove with:
  ssh-keygen -f "/tmp/sshx-dvsK/kh2" -R "127.0.55.1"
Host key for 127.0.55.1 has changed and you have requested strict checking.
Host key verification failed.
${EPILOGUE}`;
const SSH_KEY_TYPE_UNKNOWN = `No ED25519 host key is known for 127.0.55.1 and you have requested strict checking.\nHost key verification failed.\n${EPILOGUE}`;
const SSH_REFUSED = `ssh: connect to host 127.0.55.2 port 22: Connection refused\n${EPILOGUE}`;
const SSH_UNRESOLVED = `ssh: Could not resolve hostname no-such-host.invalid: Name or service not known\n${EPILOGUE}`;
const SSH_BANNER_TIMEOUT = `Connection timed out during banner exchange\nConnection to 10.255.255.1 port 22 timed out\n${EPILOGUE}`;
const SSH_CONNECT_TIMEOUT = `ssh: connect to host 203.0.113.9 port 22: Connection timed out\n${EPILOGUE}`;
const FETCH_NO_REF = "fatal: couldn't find remote ref refs/heads/nope\n";
const FETCH_UNADVERTISED = "error: Server does not allow request for unadvertised object 1234567890123456789012345678901234567890\n";
const FETCH_NOT_OUR_REF =
  "fatal: git upload-pack: not our ref 1234567890123456789012345678901234567890\nfatal: remote error: upload-pack: not our ref 1234567890123456789012345678901234567890\n";

const HTTP_NO_CREDENTIALS = "fatal: could not read Username for 'http://127.0.0.1:18089': terminal prompts disabled\n";
const HTTP_MISSING = "fatal: repository 'http://127.0.0.1:18089/missing.git/' not found\n";
const HTTP_403 = "fatal: unable to access 'http://127.0.0.1:18089/forbidden/app.git/': The requested URL returned error: 403\n";
const HTTP_REFUSED =
  "fatal: unable to access 'http://127.0.0.1:18090/app.git/': Failed to connect to 127.0.0.1 port 18090 after 0 ms: Couldn't connect to server\n";
const HTTP_UNRESOLVED = "fatal: unable to access 'http://no-such-host.invalid/app.git/': Could not resolve host: no-such-host.invalid\n";

// Documented answers of the big hosts.
const GITHUB_SSH_NOT_FOUND = `ERROR: Repository not found.\n${EPILOGUE}`;
const GITHUB_HTTPS_NOT_FOUND = "remote: Repository not found.\nfatal: repository 'https://github.com/acme/private.git/' not found\n";
const GITHUB_SSH_PUBLICKEY = `git@github.com: Permission denied (publickey).\n${EPILOGUE}`;
const GITHUB_BAD_TOKEN =
  "remote: Invalid username or token. Password authentication is not supported for Git operations.\nfatal: Authentication failed for 'https://github.com/acme/app.git/'\n";
const GITLAB_SSH_NOT_FOUND = `remote: \nremote: ========================================================================\nremote: \nremote: ERROR: The project you were looking for could not be found or you don't have permission to view it.\nremote: \nremote: ========================================================================\nremote: \n${EPILOGUE}`;
const GITLAB_BAD_TOKEN =
  "remote: HTTP Basic: Access denied. If a password was provided for Git authentication, the password was incorrect or you're required to use a token instead of a password.\nfatal: Authentication failed for 'https://gitlab.com/acme/app.git/'\n";

const cases: [string, string, GitAccess, GitProblemKind, RegExp][] = [
  ["ssh, key not added", SSH_PUBLICKEY, "ssh", "deploy-key-refused", /Permission denied \(publickey\)/],
  ["ssh, GitHub key not added", GITHUB_SSH_PUBLICKEY, "ssh", "deploy-key-refused", /git@github.com: Permission denied/],
  ["ssh, no key at all", SSH_PUBLICKEY, "none", "deploy-key-refused", /Permission denied/],
  ["ssh, repository missing", SSH_MISSING, "ssh", "repository-not-found", /'missing.git' does not appear to be a git repository/],
  ["ssh, GitHub repository missing", GITHUB_SSH_NOT_FOUND, "ssh", "repository-not-found", /ERROR: Repository not found/],
  ["ssh, GitLab project missing", GITLAB_SSH_NOT_FOUND, "ssh", "repository-not-found", /could not be found/],
  ["ssh, branch missing", SSH_NO_BRANCH, "ssh", "branch-not-found", /Remote branch nope not found/],
  ["ssh, host key changed", SSH_HOST_KEY_CHANGED, "ssh", "host-key-changed", /has changed and you have requested strict checking/],
  ["ssh, only another key type pinned", SSH_KEY_TYPE_UNKNOWN, "ssh", "host-key-changed", /No ED25519 host key is known/],
  ["ssh, connection refused", SSH_REFUSED, "ssh", "connection-refused", /port 22: Connection refused/],
  ["ssh, unresolved", SSH_UNRESOLVED, "ssh", "host-unresolved", /Could not resolve hostname/],
  ["ssh, banner timeout", SSH_BANNER_TIMEOUT, "ssh", "connection-timed-out", /timed out/],
  ["ssh, connect timeout", SSH_CONNECT_TIMEOUT, "ssh", "connection-timed-out", /Connection timed out/],
  ["fetch, no such ref", FETCH_NO_REF, "ssh", "branch-not-found", /couldn't find remote ref refs\/heads\/nope/],
  ["fetch, commit not advertised", FETCH_UNADVERTISED, "ssh", "commit-not-found", /unadvertised object/],
  ["fetch, commit not ours", FETCH_NOT_OUR_REF, "none", "commit-not-found", /not our ref/],
  ["https, token refused", HTTP_NO_CREDENTIALS, "token", "credentials-refused", /terminal prompts disabled/],
  ["https, private without credentials", HTTP_NO_CREDENTIALS, "none", "credentials-refused", /could not read Username/],
  ["https, GitHub token refused", GITHUB_BAD_TOKEN, "token", "credentials-refused", /Authentication failed for/],
  ["https, GitLab token refused", GITLAB_BAD_TOKEN, "token", "credentials-refused", /HTTP Basic: Access denied/],
  ["https, 403", HTTP_403, "token", "credentials-refused", /returned error: 403/],
  ["https, repository missing", HTTP_MISSING, "token", "repository-not-found", /missing.git\/' not found/],
  ["https, GitHub repository missing", GITHUB_HTTPS_NOT_FOUND, "none", "repository-not-found", /Repository not found/],
  ["https, connection refused", HTTP_REFUSED, "none", "connection-refused", /Couldn't connect to server/],
  ["https, unresolved", HTTP_UNRESOLVED, "token", "host-unresolved", /Could not resolve host/],
];

describe("explainGitFailure", () => {
  it.each(cases)("%s", (_name, stderr, access, kind, reason) => {
    const p = explainGitFailure(stderr, { access, ref: "nope" });
    expect(p.kind).toBe(kind);
    expect(p.reason).toMatch(reason);
    expect(p.title.length).toBeGreaterThan(10);
    // git's generic epilogue never hides the reason.
    expect(p.reason).not.toMatch(/correct access rights|Could not read from remote repository/);
    if (kind !== "unknown") expect(p.hint).toBeTruthy();
  });

  it("hints at what the service's access needs: a deploy key to add, or a key to choose in the first place", () => {
    expect(explainGitFailure(SSH_PUBLICKEY, { access: "ssh" }).hint).toMatch(/Add this service's deploy key .* Deploy keys/);
    expect(explainGitFailure(SSH_PUBLICKEY, { access: "none" }).hint).toMatch(/choose "Deploy key"/);
    expect(explainGitFailure(HTTP_NO_CREDENTIALS, { access: "token" }).title).toBe("The git server refused the access token");
    expect(explainGitFailure(HTTP_NO_CREDENTIALS, { access: "none" }).hint).toMatch(/private/);
    expect(explainGitFailure(GITHUB_HTTPS_NOT_FOUND, { access: "none" }).hint).toMatch(/deploy key or an access token/);
    expect(explainGitFailure(SSH_HOST_KEY_CHANGED, { access: "ssh" }).hint).toMatch(/admin can accept the new key/);
    expect(explainGitFailure(SSH_NO_BRANCH, { access: "ssh", ref: "nope" }).title).toBe('The repository has no branch "nope"');
    expect(explainGitFailure(FETCH_UNADVERTISED, { access: "ssh", commit: "1234567890123456789012345678901234567890" }).title).toMatch(
      /123456789012 is not on the git server/,
    );
  });

  it("keeps the fingerprint ssh saw and drops the banner and the temporary file's paths", () => {
    const reason = explainGitFailure(SSH_HOST_KEY_CHANGED, { access: "ssh" }).reason;
    expect(reason).toContain("The fingerprint for the ED25519 key sent by the remote host is SHA256:rokhmC9aH5tKgoP6fRTu+uABrSrIHl8NDqEwKB0Tn4w.");
    expect(reason).toContain("Host key verification failed.");
    expect(reason).not.toMatch(/@@@|NASTY|\/tmp\/|ssh-keygen/);
  });

  it("falls back to git's own words when it knows nothing better", () => {
    const p = explainGitFailure("fatal: protocol error: bad pack header\n", { access: "none" });
    expect(p).toEqual({ kind: "unknown", title: "git could not read the repository", reason: "fatal: protocol error: bad pack header", hint: null });
    expect(explainGitFailure("", { access: "none" }).reason).toBe("git gave no reason.");
  });

  it("cuts long or many lines and strips terminal escapes", () => {
    const many = Array.from({ length: 50 }, (_, i) => `remote: line ${i}`).join("\n");
    expect(gitReason(many).split("\n")).toHaveLength(4);
    expect(gitReason(`fatal: ${"x".repeat(5000)}`).length).toBeLessThan(320);
    expect(gitReason("remote: \x1b[31mERROR\x1b[0m: Repository not found.")).toBe("remote: ERROR: Repository not found.");
  });

  it("is linear on a large hostile input", () => {
    const big = `${"@".repeat(200_000)}\n${"Host key for ".repeat(50_000)}\n${"a ".repeat(300_000)}`;
    const t = Date.now();
    explainGitFailure(big, { access: "ssh" });
    expect(Date.now() - t).toBeLessThan(2000);
  });
});

describe("formatGitProblem", () => {
  it("puts the title first, git's reason next and the hint on its own line", () => {
    const text = formatGitProblem(explainGitFailure(SSH_PUBLICKEY, { access: "ssh" }), "git clone failed: ");
    const lines = text.split("\n");
    expect(lines[0]).toBe("git clone failed: the git server refused the deploy key.");
    expect(formatGitProblem(explainGitFailure(SSH_PUBLICKEY, { access: "ssh" })).split("\n")[0]).toBe("The git server refused the deploy key.");
    expect(lines[1]).toBe("root@127.0.55.1: Permission denied (publickey).");
    expect(lines[2]).toMatch(/^Hint: /);
    expect(formatGitProblem(gitProblem("unknown", { access: "none" }, "odd"))).toBe("git could not read the repository.\nodd");
  });
});
