// Credentials for cloning a private repository: extra environment variables to merge over
// gitProcessEnv() (lib/git/env.ts) for one `git clone`, and a cleanup that removes what they needed on
// disk. Nothing secret ever goes into the URL or the argument list, which any local user can read in `ps`;
// the environment of a process is readable only by its own user and root (/proc/<pid>/environ).
import fs from "node:fs/promises";
import path from "node:path";
import { INVISIBLE, describeChar } from "@/lib/git/chars";

export type GitAuth = { kind: "none" } | { kind: "ssh"; privateKey: string } | { kind: "token"; token: string; username?: string };

export type GitAuthEnv = { env: Record<string, string>; cleanup: () => Promise<void> };

/** git runs GIT_SSH_COMMAND through `sh -c`, so every path we put in it must be inert to a shell:
 *  absolute, and nothing but letters, digits and `._/-` (no spaces, quotes, `$`, globs…). */
const SHELL_SAFE_PATH = /^\/[A-Za-z0-9._/-]+$/;
const MAX_TOKEN = 4096;
const MAX_USERNAME = 256;
const MAX_PRIVATE_KEY = 16 * 1024;
/** Tokens from GitHub (fine-grained tokens and installation tokens), GitLab and Gitea use this name or
 *  ignore it; Bitbucket wants the account's user name or "x-token-auth", passed as `username`. */
const DEFAULT_USERNAME = "x-access-token";

const noop = async () => {};

export async function gitAuthEnv(auth: GitAuth, workDir: string): Promise<GitAuthEnv> {
  switch (auth.kind) {
    case "none":
      return { env: {}, cleanup: noop };
    case "ssh":
      return sshEnv(auth.privateKey, workDir);
    case "token":
      return { env: tokenEnv(auth.token, auth.username), cleanup: noop };
    default:
      throw new Error(`Unknown git credential kind: ${(auth as { kind: unknown }).kind}`);
  }
}

async function sshEnv(privateKey: string, workDir: string): Promise<GitAuthEnv> {
  if (!SHELL_SAFE_PATH.test(workDir) || workDir.split("/").includes("..")) {
    throw new Error("The git work directory must be an absolute path of letters, digits and ._/- only (it is passed through a shell)");
  }
  // The caller makes workDir private (mkdtemp: 0700). Check it rather than trust it: the key file's own
  // mode protects the key, but known_hosts decides which server we talk to.
  const st = await fs.lstat(workDir);
  if (!st.isDirectory()) throw new Error("The git work directory is not a directory");
  if ((st.mode & 0o077) !== 0) throw new Error("The git work directory must not be accessible to other users (mode 0700)");
  if (typeof process.getuid === "function" && st.uid !== process.getuid()) throw new Error("The git work directory belongs to another user");

  const key = checkPrivateKey(privateKey);
  const keyFile = path.join(workDir, "deploy_key");
  const knownHosts = path.join(workDir, "known_hosts");
  // "wx" is O_CREAT|O_EXCL: never follows a symlink planted at that name, never reuses an old file. The
  // mode is set at creation, so the key is never readable by anyone else, not even for a moment.
  await fs.rm(keyFile, { force: true });
  await fs.writeFile(keyFile, key, { mode: 0o600, flag: "wx" });
  // The mode given at creation is narrowed by the umask only, so it is at most 0600; make it exact.
  await fs.chmod(keyFile, 0o600);

  const command = [
    "ssh",
    "-i", keyFile,
    // Only this key: not the agent user's ~/.ssh/id_* nor an ssh-agent's keys.
    "-o", "IdentitiesOnly=yes",
    // Never prompt (passphrase, password, host key): fail instead of hanging the job.
    "-o", "BatchMode=yes",
    // Trust on first use: accept-new records whatever host key the server presents on the first
    // connection into our own, per-clone known_hosts and refuses a *changed* key only. As that file starts
    // empty for every clone, this protects against nothing on the first connection, i.e. an attacker on
    // the network path can impersonate the git host. Future work: pin known_hosts per repository (fetched
    // and shown to the user when the deploy key is set up, or well-known keys for GitHub/GitLab) and use
    // StrictHostKeyChecking=yes.
    "-o", "StrictHostKeyChecking=accept-new",
    "-o", `UserKnownHostsFile=${knownHosts}`,
    // No ~/.ssh/config nor /etc/ssh/ssh_config: no ProxyCommand, Host aliases or other identities.
    "-F", "/dev/null",
  ];
  for (const part of command) {
    if (!/^[A-Za-z0-9._/=-]+$/.test(part)) throw new Error(`Unsafe GIT_SSH_COMMAND part: ${JSON.stringify(part)}`);
  }
  return {
    env: { GIT_SSH_COMMAND: command.join(" ") },
    cleanup: () => fs.rm(keyFile, { force: true }),
  };
}

function checkPrivateKey(privateKey: string): string {
  if (typeof privateKey !== "string" || privateKey.trim() === "") throw new Error("The deploy key is empty");
  if (privateKey.length > MAX_PRIVATE_KEY) throw new Error("The deploy key is too long");
  // Keys pasted through a browser may come with CRLF line ends, which OpenSSH refuses; and OpenSSH
  // wants the final newline.
  const key = `${privateKey.replace(/\r\n/g, "\n").trim()}\n`;
  if (!/^-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----\n[\x20-\x7e\n]+\n-----END [A-Z0-9 ]*PRIVATE KEY-----\n$/.test(key)) {
    throw new Error("The deploy key is not a PEM private key (-----BEGIN OPENSSH PRIVATE KEY-----)");
  }
  return key;
}

function tokenEnv(token: string, username: string | undefined): Record<string, string> {
  if (typeof token !== "string" || token === "") throw new Error("The access token is empty");
  if (token.length > MAX_TOKEN) throw new Error("The access token is too long");
  // Control characters, newlines, spaces, zero-width and bidi characters: none belongs in a token, and a
  // newline in a header value would be header injection. Refused, not trimmed, so a paste error shows.
  if (INVISIBLE.test(token)) throw new Error(`The access token contains a space or control character: ${describeChar(token, INVISIBLE)}`);
  const user = username === undefined || username === "" ? DEFAULT_USERNAME : username;
  if (typeof user !== "string" || user.length > MAX_USERNAME) throw new Error("The git user name is too long");
  if (INVISIBLE.test(user)) throw new Error(`The git user name contains a space or control character: ${describeChar(user, INVISIBLE)}`);
  // Basic auth splits "user:password" at the first colon.
  if (user.includes(":")) throw new Error('The git user name must not contain ":"');
  const basic = Buffer.from(`${user}:${token}`, "utf8").toString("base64");
  // Config from the environment (git ≥ 2.31), the equivalent of `git -c http.extraHeader=…` without
  // putting the token on the command line. GIT_CONFIG_GLOBAL=/dev/null and GIT_CONFIG_NOSYSTEM from
  // gitProcessEnv() still apply: this is the only configuration git gets from outside the repository.
  // The header goes with every HTTP request of this clone; curl (≥ 7.58) drops a custom Authorization
  // header when a redirect leads to another host, and git follows redirects on the first request only.
  return {
    GIT_CONFIG_COUNT: "1",
    GIT_CONFIG_KEY_0: "http.extraHeader",
    GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}`,
  };
}
