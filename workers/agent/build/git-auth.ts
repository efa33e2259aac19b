// Credentials and host keys for git against one repository: extra environment variables to merge over
// gitProcessEnv() (lib/git/env.ts), and a cleanup that removes the key from disk. Nothing secret ever goes
// into the URL or the argument list, which any local user can read in `ps`; the environment of a process is
// readable only by its own user and root (/proc/<pid>/environ).
import fs from "node:fs/promises";
import path from "node:path";
import { INVISIBLE, describeChar } from "@/lib/git/chars";
import { formatKnownHosts, parseKnownHosts } from "@/lib/git/known-hosts";

export type GitAuth = { kind: "none" } | { kind: "ssh"; privateKey: string } | { kind: "token"; token: string; username?: string };

export type GitAuthEnv = {
  env: Record<string, string>;
  cleanup: () => Promise<void>;
  /** Whether ssh checks against pinned host keys (StrictHostKeyChecking=yes) rather than trusting a first key. */
  pinned: boolean;
  /** The host keys ssh accepted, as known_hosts lines: after a first connection, the key it met. */
  knownHosts: () => Promise<string>;
};

/** git runs GIT_SSH_COMMAND through `sh -c`, so every path we put in it must be inert to a shell:
 *  absolute, and nothing but letters, digits and `._/-` (no spaces, quotes, `$`, globs…). */
const SHELL_SAFE_PATH = /^\/[A-Za-z0-9._/-]+$/;
const MAX_TOKEN = 4096;
const MAX_USERNAME = 256;
const MAX_PRIVATE_KEY = 16 * 1024;
/** Tokens from GitHub (fine-grained tokens and installation tokens), GitLab and Gitea use this name or
 *  ignore it; Bitbucket wants the account's user name or "x-token-auth", passed as `username`. */
const DEFAULT_USERNAME = "x-access-token";

/**
 * The environment for git commands against one repository: ssh locked down (our key or none, our known_hosts
 * only) and, for a token, the Authorization header. `hostKeys` are the service's pinned known_hosts lines:
 * with them ssh refuses any other key (StrictHostKeyChecking=yes); without them it accepts the first key it
 * meets into this directory's own known_hosts, which `knownHosts()` reads back so it can be pinned.
 */
export async function gitAuthEnv(auth: GitAuth, workDir: string, opts: { hostKeys?: string | null } = {}): Promise<GitAuthEnv> {
  if (auth.kind !== "none" && auth.kind !== "ssh" && auth.kind !== "token") {
    throw new Error(`Unknown git credential kind: ${(auth as { kind: unknown }).kind}`);
  }
  const pinned = opts.hostKeys ? parseKnownHosts(opts.hostKeys) : null;
  if (pinned && !pinned.ok) throw new Error(`The pinned SSH host keys are invalid: ${pinned.error}`);
  const token = auth.kind === "token" ? tokenEnv(auth.token, auth.username) : {};
  await checkWorkDir(workDir);

  const knownHosts = path.join(workDir, "known_hosts");
  const keyFile = path.join(workDir, "deploy_key");
  await writePrivate(knownHosts, pinned?.ok ? formatKnownHosts(pinned.keys) : "");
  if (auth.kind === "ssh") await writePrivate(keyFile, checkPrivateKey(auth.privateKey));
  const strict = Boolean(pinned?.ok && pinned.keys.length);

  const command = [
    "ssh",
    // Only this key: not the agent user's ~/.ssh/id_* nor an ssh-agent's keys (and none without a key).
    ...(auth.kind === "ssh" ? ["-i", keyFile] : ["-o", "IdentityFile=none"]),
    "-o",
    "IdentitiesOnly=yes",
    "-o",
    "IdentityAgent=none",
    // Never prompt (passphrase, password, host key): fail instead of hanging the job.
    "-o",
    "BatchMode=yes",
    // Pinned keys only, or trust on first use into this clone's own file, read back and pinned by the
    // control plane once the clone succeeds. Either way only our file counts: not the system's.
    "-o",
    `StrictHostKeyChecking=${strict ? "yes" : "accept-new"}`,
    "-o",
    `UserKnownHostsFile=${knownHosts}`,
    "-o",
    "GlobalKnownHostsFile=/dev/null",
    "-o",
    "UpdateHostKeys=no",
    "-o",
    "HashKnownHosts=no",
    // No ~/.ssh/config nor /etc/ssh/ssh_config: no ProxyCommand, Host aliases or other identities.
    "-F",
    "/dev/null",
  ];
  for (const part of command) {
    if (!/^[A-Za-z0-9._/=-]+$/.test(part)) throw new Error(`Unsafe GIT_SSH_COMMAND part: ${JSON.stringify(part)}`);
  }
  return {
    env: { GIT_SSH_COMMAND: command.join(" "), ...token },
    cleanup: () => fs.rm(keyFile, { force: true }),
    pinned: strict,
    knownHosts: () => fs.readFile(knownHosts, "utf8").catch(() => ""),
  };
}

async function checkWorkDir(workDir: string) {
  if (typeof workDir !== "string" || !SHELL_SAFE_PATH.test(workDir) || workDir.split("/").includes("..")) {
    throw new Error("The git work directory must be an absolute path of letters, digits and ._/- only (it is passed through a shell)");
  }
  // The caller makes workDir private (mkdtemp: 0700). Check it rather than trust it: the key file's own
  // mode protects the key, but known_hosts decides which server we talk to.
  const st = await fs.lstat(workDir);
  if (!st.isDirectory()) throw new Error("The git work directory is not a directory");
  if ((st.mode & 0o077) !== 0) throw new Error("The git work directory must not be accessible to other users (mode 0700)");
  if (typeof process.getuid === "function" && st.uid !== process.getuid()) throw new Error("The git work directory belongs to another user");
}

/** "wx" is O_CREAT|O_EXCL: never follows a symlink planted at that name, never reuses an old file. The mode
 *  is set at creation, so the file is never readable by anyone else, not even for a moment. */
async function writePrivate(file: string, content: string) {
  await fs.rm(file, { force: true });
  await fs.writeFile(file, content, { mode: 0o600, flag: "wx" });
  // The mode given at creation is narrowed by the umask only, so it is at most 0600; make it exact.
  await fs.chmod(file, 0o600);
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
