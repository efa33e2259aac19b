import { describe, expect, it } from "vitest";
import {
  GIT_ENV,
  GIT_ENV_LOCAL,
  gitProcessEnv,
  validateCommitSha,
  validateDockerfilePath,
  validateRef,
  validateRepoUrl,
  validateSubdirectory,
} from "@/lib/git/validate";
import { repoTarget } from "@/lib/net/targets";

type R = { ok: true } | { ok: false; error: string };

/** Refused, with a message that says what it is about (matched case-insensitively). */
function refused(r: R, about?: RegExp) {
  expect(r.ok, JSON.stringify(r)).toBe(false);
  if (r.ok) return;
  expect(r.error.length).toBeGreaterThan(20);
  if (about) expect(r.error).toMatch(about);
}

describe("validateRepoUrl accepts", () => {
  it.each([
    ["https://github.com/org/repo.git", "https://github.com/org/repo.git", "https"],
    ["https://github.com/org/repo", "https://github.com/org/repo", "https"],
    ["https://gitlab.example.com/group/sub/repo.git", "https://gitlab.example.com/group/sub/repo.git", "https"],
    ["HTTPS://GitLab.Example.com:8443/Group/Repo.git", "https://gitlab.example.com:8443/Group/Repo.git", "https"],
    ["https://dev.azure.com/org/My%20Project/_git/repo", "https://dev.azure.com/org/My%20Project/_git/repo", "https"],
    ["ssh://git@host:2222/org/repo", "ssh://git@host:2222/org/repo", "ssh"],
    ["ssh://host.example/srv/git/repo.git", "ssh://host.example/srv/git/repo.git", "ssh"],
    ["ssh://git@host/~alice/repo.git", "ssh://git@host/~alice/repo.git", "ssh"],
    // scp-like addresses keep their form, so a relative path stays relative to the login's home.
    ["user@github.com:org/repo.git", "user@github.com:org/repo.git", "ssh"],
    ["git@host:app.git", "git@host:app.git", "ssh"],
    ["git@Example.COM:/srv/repo.git", "git@example.com:/srv/repo.git", "ssh"],
    ["git@example.com:~/repos/app.git", "git@example.com:~/repos/app.git", "ssh"],
  ])("%s", (raw, url, protocol) => {
    expect(validateRepoUrl(raw)).toEqual({ ok: true, url, protocol });
    // Normalised once, the same again: the agent validates what the API stored.
    expect(validateRepoUrl(url)).toEqual({ ok: true, url, protocol });
  });

  it("checks the host of an scp-like address against the outbound policy like an ssh:// one", () => {
    expect(repoTarget("git@Example.com:app.git")).toEqual({ protocol: "ssh", host: "example.com", port: 22 });
    expect(repoTarget("git@10.0.0.7:srv/app.git")).toEqual({ protocol: "ssh", host: "10.0.0.7", port: 22 });
    expect(repoTarget("ssh://git@example.com:2222/app.git")).toEqual({ protocol: "ssh", host: "example.com", port: 2222 });
  });

  it("accepts file:// and git:// only with allowLocal", () => {
    expect(validateRepoUrl("file:///tmp/fixtures/repo.git", { allowLocal: true })).toEqual({
      ok: true,
      url: "file:///tmp/fixtures/repo.git",
      protocol: "file",
    });
    expect(validateRepoUrl("git://localhost:9418/repo", { allowLocal: true })).toEqual({
      ok: true,
      url: "git://localhost:9418/repo",
      protocol: "git",
    });
    refused(validateRepoUrl("file:///tmp/fixtures/repo.git"), /"file" protocol is not allowed/);
    refused(validateRepoUrl("git://localhost/repo"), /"git" protocol is not allowed/);
  });
});

describe("validateRepoUrl refuses", () => {
  it.each<[string, RegExp]>([
    ["", /required/],
    ["--upload-pack=touch /tmp/x", /space|"-"/],
    ["--upload-pack=touch", /must not start with "-"/],
    ["-oProxyCommand=touch%20/tmp/x", /must not start with "-"/],
    ["ssh://-oProxyCommand=touch/tmp/x/repo", /character that is not allowed/],
    ["ssh://-oProxyCommand/repo", /host must not start with "-"/],
    ["ssh://-oProxyCommand@host/repo", /user name must not start with "-"/],
    ["-oProxyCommand@host:repo", /must not start with "-"/],
    ["ext::sh -c touch% /tmp/pwned", /space|ext::/],
    ["ext::sh", /"ext::" transport runs local commands/],
    ["EXT::sh", /"ext::" transport/],
    ["fd::3", /"fd::" transport/],
    ["foo::bar", /remote-helper transports/],
    ["https::github.com/org/repo", /remote-helper transports/],
    ["git@host::repo", /"::"/],
    ["https://github.com/$(id)/repo", /shell metacharacter/],
    ["https://github.com/`id`/repo", /shell metacharacter/],
    ["https://github.com/org/repo;id", /shell metacharacter/],
    ["https://github.com/org/repo|id", /shell metacharacter/],
    ["https://github.com/org/repo&id", /shell metacharacter/],
    ["https://github.com/org/repo\nrm -rf /", /control/],
    ["https://github.com/org/repo\r", /control/],
    ["https://github.com/org/repo\u0000", /control/],
    ["https://github.com/org/re\u202Eop", /control/],
    ["https://github.com/org/re\u200Bpo", /control/],
    [" https://github.com/org/repo", /space/],
    ["https://github.com/org/../admin/repo", /"\.\." segments/],
    ["https://github.com/org/%2e%2e/repo", /"\.\." segments/],
    ["https://github.com/org/%2E%2E%2Frepo", /"\.\." segments/],
    ["https://github.com/org/repo%0aid", /encodes a control character/],
    ["https://github.com/org/repo%zz", /malformed %-escape/],
    ["git@host:../etc/passwd", /"\.\." segments/],
    ["git@host:repo/../../etc", /"\.\." segments/],
    ["git@host:-oProxyCommand", /segment may start with "-"/],
    ["git@host:org//repo", /"\/\/"/],
    ["-oProxyCommand@host:repo", /must not start with "-"/],
    ["git@-host:repo", /host must not start with "-"/],
    ["https://github.com//repo", /"\/\/"/],
    ["http://github.com/org/repo", /plain http is not allowed/],
    ["https://user:token@github.com/org/repo", /credentials/],
    ["https://token@github.com/org/repo", /credentials/],
    ["https://github.com/org/repo?x=1", /query string/],
    ["https://github.com/org/repo#main", /fragment/],
    ["https:///org/repo", /host is empty/],
    ["https://-evil.com/org/repo", /host must not start with "-"/],
    ["https://evil_.com/org/repo", /not a valid host/],
    ["https://github.com:0/org/repo", /not a valid port/],
    ["https://github.com:99999/org/repo", /not a valid port/],
    ["https://github.com:/org/repo", /not a valid port/],
    ["https://github.com", /path is missing/],
    ["https://github.com/", /path is missing/],
    ["https://[::1]/org/repo", /IPv6/],
    ["ftp://example.com/repo", /"ftp" protocol is not allowed/],
    ["git+ssh://git@host/repo", /protocol is not allowed/],
    ["file:///etc/passwd", /"file" protocol/],
    ["/srv/git/repo.git", /local paths/],
    ["./repo", /local paths/],
    ["github.com:org/repo", /expected https/],
    ["git@host:", /path is missing/],
    ["https://github.com/org/-repo", /segment may start with "-"/],
    ["https://github.com/org/r\u00e9po", /character that is not allowed/],
    [`https://github.com/${"a".repeat(2040)}`, /longer than 2048/],
  ])("%j", (raw, about) => {
    refused(validateRepoUrl(raw), about);
  });

  it("refuses file URLs with a host or traversal even when local ones are allowed", () => {
    refused(validateRepoUrl("file://host/srv/repo", { allowLocal: true }), /file:\/\/\/absolute/);
    refused(validateRepoUrl("file:///srv/../etc", { allowLocal: true }), /"\.\." segments/);
    refused(validateRepoUrl("git://user@host/repo", { allowLocal: true }), /no user name/);
    refused(validateRepoUrl("ext::sh", { allowLocal: true }), /ext::/);
  });

  it("accepts a URL of exactly 2048 characters", () => {
    const base = "https://github.com/";
    const url = base + "a".repeat(2048 - base.length);
    expect(validateRepoUrl(url).ok).toBe(true);
  });
});

describe("validateRef", () => {
  it.each(["main", "feature/x-1", "release/2024.10", "v1.2.3", "refs/heads/main", "fix_123+hot", "über/ñ", "a@b", "x.lockfile"])("accepts %s", (ref) => {
    expect(validateRef(ref)).toEqual({ ok: true, ref });
  });

  it.each<[string, RegExp]>([
    ["", /required/],
    ["-x", /start with "-"/],
    ["--upload-pack=touch", /start with "-"/],
    ["main\nrm", /control/],
    ["main rm", /spaces/],
    ["main\t", /control/],
    ["ma\u0007in", /control/],
    ["ma\u007Fin", /control/],
    ["ma\u0085in", /control/],
    ["ma\u202Ein", /control/],
    ["ma\uFEFFin", /control/],
    ["ma\u2028in", /control/],
    ["$(id)", /shell metacharacters/],
    ["`id`", /shell metacharacters/],
    ["main;id", /shell metacharacters/],
    ["main|id", /shell metacharacters/],
    ["main&id", /shell metacharacters/],
    ["..", /"\.\."/],
    ["main..evil", /"\.\."/],
    ["refs/heads/../x", /"\.\."/],
    ["@{-1}", /"@\{"/],
    ["main@{yesterday}", /"@\{"/],
    ["@", /not a branch name/],
    ["HEAD", /not a branch name/],
    ["a.lock", /"\.lock"/],
    ["feature/a.lock/b", /"\.lock"/],
    [".hidden", /start with "\."/],
    ["feature/.x", /start with "\."/],
    ["/main", /start or end with "\/"/],
    ["main/", /start or end with "\/"/],
    ["feature//x", /"\/\/"/],
    ["main.", /end with "\."/],
    ["a~1", /~ \^ :/],
    ["a^", /~ \^ :/],
    ["a:b", /~ \^ :/],
    ["a?", /~ \^ :/],
    ["a*", /~ \^ :/],
    ["a[b", /~ \^ :/],
    ["a\\b", /~ \^ :/],
    ["x".repeat(256), /longer than 255/],
  ])("refuses %j", (ref, about) => {
    refused(validateRef(ref), about);
  });

  it("accepts exactly 255 characters", () => {
    expect(validateRef("x".repeat(255)).ok).toBe(true);
  });
});

describe("validateCommitSha", () => {
  it("accepts full SHA-1 and SHA-256 ids, lowercased", () => {
    const sha1 = "0123456789ABCDEF0123456789abcdef01234567";
    expect(validateCommitSha(sha1)).toEqual({ ok: true, sha: sha1.toLowerCase() });
    const sha256 = "a".repeat(64);
    expect(validateCommitSha(sha256)).toEqual({ ok: true, sha: sha256 });
  });

  it.each([
    "",
    "abc1234",
    "g".repeat(40),
    "a".repeat(39),
    "a".repeat(41),
    "a".repeat(63),
    "a".repeat(65),
    ` ${"a".repeat(40)}`,
    `${"a".repeat(40)}\n`,
    "-".repeat(40),
  ])("refuses %j", (raw) => refused(validateCommitSha(raw), /40 or 64/));

  it("refuses the all-zero id", () => {
    refused(validateCommitSha("0".repeat(40)), /all-zero/);
    refused(validateCommitSha("0".repeat(64)), /all-zero/);
  });
});

describe("validateSubdirectory and validateDockerfilePath", () => {
  it.each([
    ["", ""],
    [".", ""],
    ["./", ""],
    ["app", "app"],
    ["services/api/", "services/api"],
    ["./services//api/.", "services/api"],
    ["a.b/c-d_e", "a.b/c-d_e"],
  ])("subdirectory %j → %j", (raw, path) => {
    expect(validateSubdirectory(raw)).toEqual({ ok: true, path });
  });

  it.each([
    ["", "Dockerfile"],
    ["Dockerfile.prod", "Dockerfile.prod"],
    ["./docker/api.Dockerfile", "docker/api.Dockerfile"],
  ])("Dockerfile %j → %j", (raw, path) => {
    expect(validateDockerfilePath(raw)).toEqual({ ok: true, path });
  });

  it.each<[string, RegExp]>([
    ["/etc", /relative/],
    ["C:/x", /relative/],
    ["..", /"\.\."/],
    ["app/../../etc", /"\.\."/],
    ["app/..", /"\.\."/],
    ["-x", /start with "-"/],
    ["./-x", /start with "-"/],
    ["app/--output=/tmp", /start with "-"/],
    ["app\nrm", /control/],
    ["app dir", /spaces/],
    ["a\u0000", /control/],
    ["$(id)", /shell metacharacters/],
    ["a\\..\\b", /shell metacharacters/],
    [".git/hooks", /"\.git"/],
    ["sub/.GIT", /"\.git"/],
    ["a".repeat(1025), /longer than 1024/],
  ])("refuses %j", (raw, about) => {
    refused(validateSubdirectory(raw), about);
    refused(validateDockerfilePath(raw), about);
  });

  it("refuses a Dockerfile path that names the root directory", () => {
    refused(validateDockerfilePath("./"), /must name a file/);
  });
});

describe("GIT_ENV", () => {
  it("makes git non-interactive and limits protocols to https and ssh", () => {
    expect(GIT_ENV).toMatchObject({
      GIT_TERMINAL_PROMPT: "0",
      GIT_ASKPASS: "",
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_CONFIG_GLOBAL: "/dev/null",
      GIT_PROTOCOL_FROM_USER: "0",
      GIT_ALLOW_PROTOCOL: "https:ssh",
    });
    expect(GIT_ENV_LOCAL.GIT_ALLOW_PROTOCOL.split(":").sort()).toEqual(["file", "git", "https", "ssh"]);
    expect(Object.isFrozen(GIT_ENV)).toBe(true);
  });

  it("keeps only a few inherited variables and never the operator's git or ssh settings", () => {
    const env = gitProcessEnv({
      PATH: "/usr/bin",
      HOME: "/home/agent",
      GIT_SSH_COMMAND: "ssh -oProxyCommand=evil",
      SSH_ASKPASS: "/usr/bin/evil",
      GIT_CONFIG_PARAMETERS: "'core.sshCommand'='evil'",
      DISPLAY: ":0",
      GIT_ALLOW_PROTOCOL: "ext:file",
    });
    expect(env).toEqual({ PATH: "/usr/bin", HOME: "/home/agent", ...GIT_ENV });
    expect(gitProcessEnv({}, { allowLocal: true }).GIT_ALLOW_PROTOCOL).toBe(GIT_ENV_LOCAL.GIT_ALLOW_PROTOCOL);
  });
});
