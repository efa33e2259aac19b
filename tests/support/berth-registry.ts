// A registry set up as Berth's own: Debian's docker-registry with TLS from Berth's CA and Distribution's token
// auth, its configuration from the same generator (scripts/registry-config.mjs), its realm a small local HTTP
// server serving the real token handler (the function /api/registry/token serves). It listens on a free port
// of this machine's own address, not loopback (Docker would treat 127.0.0.0/8 as an insecure registry and skip
// the certificate check); the engine trusts it through /etc/docker/certs.d/<address>/ca.crt, as a host's does.
// stop() removes the registry, its data, the realm server and the trust entry.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { handleTokenRequest } from "@/lib/registry/token-handler";
import { registryConfig } from "@/scripts/registry-config.mjs";

const root = process.cwd();
const tlsDir = path.join(root, ".berth", "tls");

async function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on("error", reject);
    srv.listen(0, host, () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** This machine's own IPv4 address (not loopback, a Docker bridge or a test's veth), which its certificate names. */
export function machineAddress(): string {
  const found = Object.entries(os.networkInterfaces()).flatMap(([name, addrs]) =>
    (addrs ?? []).filter((a) => a.family === "IPv4" && !a.internal).map((a) => ({ name, address: a.address })),
  );
  const own = found.find((a) => !/^(docker|br-|veth|bse)/.test(a.name)) ?? found.find((a) => a.name === "docker0");
  if (!own) throw new Error("this machine has no non-loopback IPv4 address for a test registry");
  return own.address;
}

/** Serves the token handler on loopback, turning node's requests into fetch Requests and back. */
function startRealm(): Promise<http.Server> {
  const server = http.createServer(async (req, res) => {
    try {
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
      const answer = await handleTokenRequest(new Request(`http://${req.headers.host}${req.url}`, { headers }));
      res.writeHead(answer.status, Object.fromEntries(answer.headers));
      res.end(Buffer.from(await answer.arrayBuffer()));
    } catch (e) {
      res.writeHead(500).end(String(e));
    }
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

function answers(address: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = https.get(`https://${address}/v2/`, { ca: fs.readFileSync(path.join(tlsDir, "ca.crt")), timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 401); // token auth: the base endpoint asks for a token
    });
    req.on("error", () => resolve(false));
    req.on("timeout", () => req.destroy());
  });
}

/** `realm`: where clients get tokens, when the caller serves the token route itself (one a remote host reaches). */
export async function startBerthRegistry(opts: { realm?: string } = {}) {
  execFileSync("bash", [path.join(root, "scripts", "tls.sh")], { cwd: root, stdio: "ignore" }); // names this address
  const host = machineAddress();
  const port = await freePort(host);
  const address = `${host}:${port}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "berth-registry-"));
  const realm = opts.realm ? null : await startRealm();
  const realmUrl = opts.realm ?? `http://127.0.0.1:${(realm!.address() as net.AddressInfo).port}/token`;
  const config = path.join(dir, "config.yml");
  fs.writeFileSync(config, registryConfig({ addr: address, dataDir: path.join(dir, "data"), tlsDir, realm: realmUrl, logLevel: "error" }));
  const certsDir = `/etc/docker/certs.d/${address}`;
  fs.mkdirSync(certsDir, { recursive: true });
  fs.copyFileSync(path.join(tlsDir, "ca.crt"), path.join(certsDir, "ca.crt"));
  const proc: ChildProcess = spawn("docker-registry", ["serve", config], { stdio: "ignore" });
  const stop = async () => {
    proc.kill("SIGTERM");
    if (realm) await new Promise<void>((resolve) => realm.close(() => resolve()));
    fs.rmSync(certsDir, { recursive: true, force: true });
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const until = Date.now() + 15_000;
  while (!(await answers(address))) {
    if (Date.now() > until || proc.exitCode !== null) {
      await stop();
      throw new Error("docker-registry did not start (is the docker-registry package installed?)");
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { address, realm: realmUrl, config, stop };
}
export type BerthRegistry = Awaited<ReturnType<typeof startBerthRegistry>>;
