// A real git-over-ssh server for tests: Debian's OpenSSH sshd (scripts/setup.sh --test installs it) on port 22
// of a loopback address of its own (127.x.y.z, so the scp-like user@host:path form, which names no port,
// reaches it), with its own host key and authorized_keys. Logins run git-shell in `root` (a forced command,
// as git hosting servers do), so `root@<address>:<dir>/app.git` is a path relative to that directory, like
// the home directory of a plain server's git user. Needs root (sshd binds port 22 and logs in as root).
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

const SSHD = "/usr/sbin/sshd";

function banner(address: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: address, port: 22, timeout: 500 });
    s.once("data", (d) => {
      s.destroy();
      resolve(d.toString("latin1").startsWith("SSH-2.0-"));
    });
    s.once("error", () => resolve(false));
    s.once("timeout", () => {
      s.destroy();
      resolve(false);
    });
  });
}

export type SshServer = Awaited<ReturnType<typeof startSshServer>>;

export async function startSshServer(root: string) {
  if (!fs.existsSync(SSHD)) throw new Error(`${SSHD} is missing: run scripts/setup.sh --test (it installs openssh-server)`);
  fs.mkdirSync("/run/sshd", { recursive: true, mode: 0o755 }); // sshd's privilege separation directory
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "berth-sshd-"));
  const address = `127.${20 + Math.floor(Math.random() * 200)}.${Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`;
  const hostKey = path.join(dir, "host_key");
  const authorizedKeys = path.join(dir, "authorized_keys");
  const newHostKey = () => {
    fs.rmSync(hostKey, { force: true });
    fs.rmSync(`${hostKey}.pub`, { force: true });
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "", "-f", hostKey]);
  };
  newHostKey();
  fs.writeFileSync(authorizedKeys, "", { mode: 0o600 });
  const config = path.join(dir, "sshd_config");
  fs.writeFileSync(
    config,
    [
      `ListenAddress ${address}:22`,
      `HostKey ${hostKey}`,
      `PidFile ${path.join(dir, "sshd.pid")}`,
      `AuthorizedKeysFile ${authorizedKeys}`,
      "StrictModes no",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "UsePAM no",
      "PermitRootLogin prohibit-password",
      "LogLevel ERROR",
      "",
    ].join("\n"),
  );
  let sshd: ChildProcess = spawn(SSHD, ["-D", "-e", "-f", config], { stdio: ["ignore", "ignore", "pipe"] });
  let errors = "";
  sshd.stderr!.on("data", (d: Buffer) => (errors += d.toString()));

  const ready = async (want: (ok: boolean) => boolean = (ok) => ok) => {
    for (let i = 0; i < 100; i++) {
      if (sshd.exitCode !== null) throw new Error(`sshd exited: ${errors.trim() || `code ${sshd.exitCode}`}`);
      if (want(await banner(address))) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`sshd did not come up on ${address}:22: ${errors.trim()}`);
  };
  await ready();

  const fingerprint = () => execFileSync("ssh-keygen", ["-l", "-E", "sha256", "-f", `${hostKey}.pub`], { encoding: "utf8" }).split(" ")[1]!;

  return {
    address,
    /** `root@<address>:<path relative to root>`: the scp-like address of a repository under `root`. */
    url: (repoPath: string) => `root@${address}:${path.relative(root, repoPath)}`,
    /** Lets this public key log in (git-shell in `root` only). */
    authorize(publicKey: string) {
      const command = `cd ${root} && exec git-shell -c "$SSH_ORIGINAL_COMMAND"`;
      fs.appendFileSync(
        authorizedKeys,
        `command="${command.replace(/"/g, '\\"')}",no-port-forwarding,no-agent-forwarding,no-X11-forwarding,no-pty ${publicKey.trim()}\n`,
      );
    },
    /** SHA256:… of the host key the server presents, as ssh-keygen prints it. */
    fingerprint,
    /** The server gets a new host key (a reinstall): sshd is restarted with it. */
    async replaceHostKey() {
      const before = fingerprint();
      sshd.kill("SIGTERM");
      await new Promise((r) => (sshd.exitCode !== null ? r(null) : sshd.once("exit", r)));
      newHostKey();
      if (fingerprint() === before) throw new Error("ssh-keygen made the same key twice");
      errors = "";
      sshd = spawn(SSHD, ["-D", "-e", "-f", config], { stdio: ["ignore", "ignore", "pipe"] });
      sshd.stderr!.on("data", (d: Buffer) => (errors += d.toString()));
      await ready();
    },
    async stop() {
      if (sshd.exitCode === null) {
        sshd.kill("SIGTERM");
        await new Promise((r) => (sshd.exitCode !== null ? r(null) : sshd.once("exit", r)));
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
