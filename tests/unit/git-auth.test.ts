// Clone credentials on the agent: what lands on disk and in git's environment, and what is refused.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { generateDeployKey } from "@/lib/git/deploy-key";
import { gitProcessEnv } from "@/lib/git/env";
import { gitAuthEnv } from "@/workers/agent/build/git-auth";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "berth-git-auth-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
/** A private directory as the caller makes it (mkdtemp: 0700). */
const workDir = () => fs.mkdtempSync(path.join(tmp, "clone-"));

const sshOptions = (dir: string, strict: "yes" | "accept-new") =>
  `-o IdentitiesOnly=yes -o IdentityAgent=none -o BatchMode=yes -o StrictHostKeyChecking=${strict} ` +
  `-o UserKnownHostsFile=${path.join(dir, "known_hosts")} -o GlobalKnownHostsFile=/dev/null -o UpdateHostKeys=no -o HashKnownHosts=no -F /dev/null`;

describe("no credentials", () => {
  it("adds only a locked-down ssh that offers no key at all (not the agent user's own)", async () => {
    const dir = workDir();
    const r = await gitAuthEnv({ kind: "none" }, dir);
    expect(r.env).toEqual({ GIT_SSH_COMMAND: `ssh -o IdentityFile=none ${sshOptions(dir, "accept-new")}` });
    expect(fs.readdirSync(dir)).toEqual(["known_hosts"]);
    await r.cleanup();
  });
});

describe("host keys", () => {
  const line = (host: string) => `${host} ${generateDeployKey("h").publicKey.split(" ").slice(0, 2).join(" ")}\n`;

  it("trusts a first key into its own file and reads it back; with pinned keys, only those", async () => {
    const first = workDir();
    const open = await gitAuthEnv({ kind: "none" }, first);
    expect(open.pinned).toBe(false);
    expect(await open.knownHosts()).toBe("");
    fs.writeFileSync(path.join(first, "known_hosts"), line("git.example.com"));
    expect(await open.knownHosts()).toMatch(/^git\.example\.com ssh-ed25519 /);

    const dir = workDir();
    const pinned = line("git.example.com");
    const r = await gitAuthEnv({ kind: "ssh", privateKey: generateDeployKey("x").privateKey }, dir, { hostKeys: pinned });
    expect(r.pinned).toBe(true);
    expect(r.env.GIT_SSH_COMMAND).toBe(`ssh -i ${path.join(dir, "deploy_key")} ${sshOptions(dir, "yes")}`);
    expect(fs.readFileSync(path.join(dir, "known_hosts"), "utf8")).toBe(pinned);
    expect(fs.statSync(path.join(dir, "known_hosts")).mode & 0o777).toBe(0o600);
  });

  it.each([
    ["a marker", `@cert-authority * ${generateDeployKey("h").publicKey}`],
    ["a wildcard", line("*.example.com")],
    ["a hashed name", line("|1|abc=|def=")],
    ["an option-like name", line("-oProxyCommand=x")],
    ["a key of another type than it says", `git.example.com ssh-rsa ${generateDeployKey("h").publicKey.split(" ")[1]}`],
  ])("refuses pinned keys with %s", async (_what, hostKeys) => {
    await expect(gitAuthEnv({ kind: "none" }, workDir(), { hostKeys })).rejects.toThrow(/pinned SSH host keys are invalid/);
  });
});

describe("ssh deploy key", () => {
  it("writes the key 0600 and points GIT_SSH_COMMAND at it with a locked-down ssh", async () => {
    const dir = workDir();
    const key = generateDeployKey("berth test");
    const r = await gitAuthEnv({ kind: "ssh", privateKey: key.privateKey }, dir);
    const file = path.join(dir, "deploy_key");
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(file, "utf8")).toBe(key.privateKey);
    expect(r.env).toEqual({ GIT_SSH_COMMAND: `ssh -i ${file} ${sshOptions(dir, "accept-new")}` });
    // ssh itself can use the file.
    const derived = execFileSync("/usr/bin/ssh-keygen", ["-y", "-f", file], { encoding: "utf8" });
    expect(derived.trim()).toBe(key.publicKey);
    await r.cleanup();
    expect(fs.existsSync(file)).toBe(false);
    await r.cleanup(); // already gone: no error
  });

  it("keeps the key 0600 under a permissive umask and replaces a stale file or symlink", async () => {
    const dir = workDir();
    const target = path.join(tmp, "victim");
    fs.writeFileSync(target, "untouched");
    fs.symlinkSync(target, path.join(dir, "deploy_key"));
    const old = process.umask(0);
    try {
      const r = await gitAuthEnv({ kind: "ssh", privateKey: generateDeployKey("x").privateKey }, dir);
      expect(fs.lstatSync(path.join(dir, "deploy_key")).isFile()).toBe(true);
      expect(fs.statSync(path.join(dir, "deploy_key")).mode & 0o777).toBe(0o600);
      expect(fs.readFileSync(target, "utf8")).toBe("untouched");
      await r.cleanup();
    } finally {
      process.umask(old);
    }
  });

  it("turns CRLF line ends into LF and adds the final newline OpenSSH needs", async () => {
    const dir = workDir();
    const key = generateDeployKey("crlf");
    const pasted = key.privateKey.trimEnd().replace(/\n/g, "\r\n");
    const r = await gitAuthEnv({ kind: "ssh", privateKey: pasted }, dir);
    expect(fs.readFileSync(path.join(dir, "deploy_key"), "utf8")).toBe(key.privateKey);
    await r.cleanup();
  });

  it.each([
    ["a space", "/tmp/with space"],
    ["a quote", "/tmp/it's"],
    ["a dollar", "/tmp/$HOME"],
    ["a semicolon", "/tmp/a;b"],
    ["a newline", "/tmp/a\nb"],
    ["a relative path", "relative/dir"],
    ["a .. segment", "/tmp/../etc"],
  ])("refuses a work directory with %s (GIT_SSH_COMMAND goes through a shell)", async (_what, dir) => {
    await expect(gitAuthEnv({ kind: "ssh", privateKey: generateDeployKey("x").privateKey }, dir)).rejects.toThrow(/work directory/);
  });

  it("refuses a work directory other users can read", async () => {
    const dir = workDir();
    fs.chmodSync(dir, 0o755);
    await expect(gitAuthEnv({ kind: "ssh", privateKey: generateDeployKey("x").privateKey }, dir)).rejects.toThrow(/other users/);
    expect(fs.existsSync(path.join(dir, "deploy_key"))).toBe(false);
  });

  it("refuses a work directory that does not exist or is a file", async () => {
    await expect(gitAuthEnv({ kind: "ssh", privateKey: generateDeployKey("x").privateKey }, path.join(tmp, "missing"))).rejects.toThrow();
    const file = path.join(tmp, "a-file");
    fs.writeFileSync(file, "");
    await expect(gitAuthEnv({ kind: "ssh", privateKey: generateDeployKey("x").privateKey }, file)).rejects.toThrow(/not a directory/);
  });

  it.each([
    ["empty", ""],
    ["blank", " \n"],
    ["a public key", generateDeployKey("x").publicKey],
    ["text after the key", `${generateDeployKey("x").privateKey}ssh-rsa AAAA\n`],
    ["a control character", generateDeployKey("x").privateKey.replace("\n", "\n\x1b")],
  ])("refuses a private key that is %s", async (_what, privateKey) => {
    const dir = workDir();
    await expect(gitAuthEnv({ kind: "ssh", privateKey }, dir)).rejects.toThrow(/deploy key/);
    expect(fs.existsSync(path.join(dir, "deploy_key"))).toBe(false);
  });
});

describe("access token", () => {
  const header = (env: Record<string, string>) => {
    const m = /^Authorization: Basic ([A-Za-z0-9+/=]+)$/.exec(env.GIT_CONFIG_VALUE_0 ?? "");
    return m ? Buffer.from(m[1]!, "base64").toString("utf8") : null;
  };

  it("passes the token as an http.extraHeader through the environment, never the URL", async () => {
    const r = await gitAuthEnv({ kind: "token", token: "ghp_secret123" }, workDir());
    expect(Object.keys(r.env).sort()).toEqual(["GIT_CONFIG_COUNT", "GIT_CONFIG_KEY_0", "GIT_CONFIG_VALUE_0", "GIT_SSH_COMMAND"]);
    expect(r.env.GIT_CONFIG_COUNT).toBe("1");
    expect(r.env.GIT_CONFIG_KEY_0).toBe("http.extraHeader");
    expect(header(r.env)).toBe("x-access-token:ghp_secret123");
    await r.cleanup();
  });

  it("uses the given user name, and the default for an empty one", async () => {
    expect(header((await gitAuthEnv({ kind: "token", token: "t0k", username: "alice" }, workDir())).env)).toBe("alice:t0k");
    expect(header((await gitAuthEnv({ kind: "token", token: "t0k", username: "" }, workDir())).env)).toBe("x-access-token:t0k");
  });

  it("reaches git as configuration, over the locked-down environment", async () => {
    const r = await gitAuthEnv({ kind: "token", token: "glpat-abc", username: "oauth2" }, workDir());
    const out = execFileSync("git", ["config", "--get-all", "http.extraHeader"], {
      env: { ...gitProcessEnv(process.env), ...r.env } as NodeJS.ProcessEnv,
      cwd: tmp,
      encoding: "utf8",
    });
    expect(out).toBe(`Authorization: Basic ${Buffer.from("oauth2:glpat-abc").toString("base64")}\n`);
  });

  it.each([
    ["empty", ""],
    ["a newline", "abc\ndef"],
    ["a trailing newline", "abc\n"],
    ["a carriage return", "abc\rdef"],
    ["a NUL", "abc\0"],
    ["an escape", "abc\x1b[0m"],
    ["DEL", "abc\x7f"],
    ["a space", "abc def"],
    ["a zero-width space", "abc\u200b"],
    ["too many characters", "a".repeat(5000)],
  ])("refuses a token with %s", async (_what, token) => {
    await expect(gitAuthEnv({ kind: "token", token }, tmp)).rejects.toThrow(/access token/);
  });

  it.each([
    ["a colon", "alice:bob"],
    ["a newline", "alice\n"],
    ["a space", "al ice"],
  ])("refuses a user name with %s", async (_what, username) => {
    await expect(gitAuthEnv({ kind: "token", token: "t0k", username }, tmp)).rejects.toThrow(/user name/);
  });
});
