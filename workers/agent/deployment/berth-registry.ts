// Berth's registry as this agent uses it: dockerd trusts it by the CA in /etc/docker/certs.d/<address>/ca.crt
// (read on every connection, so writing it needs no restart), this host logs in as host-<id> with its own
// password (the registry's token service lets it push under its own id and pull its team's releases), and a
// registry that does not answer is said so at once, before Docker retries for minutes.
import fs from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import type { AgentConfig } from "../config";

/** Where dockerd looks for registries' CAs (the agent's container has the host's mounted there). */
const CERTS_DIR = process.env.BERTH_DOCKER_CERTS_DIR || "/etc/docker/certs.d";
/** How long the registry may stay silent, at connect and between progress messages. */
export const REGISTRY_IDLE_MS = Number(process.env.BERTH_REGISTRY_IDLE_MS || 30_000);
const CONNECT_MS = 10_000;

/** Writes the registry's CA where dockerd finds it, unless it is there already. */
export async function trustRegistry(address: string, ca: string): Promise<void> {
  if (address.startsWith(".") || address.includes("/")) throw new Error(`"${address}" is not a registry address`);
  const dir = path.join(CERTS_DIR, address);
  const file = path.join(dir, "ca.crt");
  if ((await fs.readFile(file, "utf8").catch(() => null)) === ca) return;
  await fs.mkdir(dir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, ca, { mode: 0o644 });
  await fs.rename(tmp, file); // dockerd never reads half a file
}

/** Docker's authconfig for Berth's registry: this host's login. */
export function registryAuth(cfg: Pick<AgentConfig, "hostId" | "password">, address: string) {
  return { username: `host-${cfg.hostId}`, password: cfg.password, serveraddress: address };
}

function hostAndPort(address: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(address);
  return { host: (m?.[1] ?? address).replace(/^\[|\]$/g, ""), port: Number(m?.[2] ?? 443) };
}

/** Null when something accepts connections at the address within 10 s; otherwise why not. */
export function registryProblem(address: string): Promise<string | null> {
  const { host, port } = hostAndPort(address);
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (problem: string | null) => {
      socket.destroy();
      resolve(problem);
    };
    socket.setTimeout(CONNECT_MS, () => done(`no connection within ${CONNECT_MS / 1000} s`));
    socket.once("connect", () => done(null));
    socket.once("error", (e: NodeJS.ErrnoException) => done(e.code ?? e.message));
  });
}

/** Makes sure dockerd trusts the registry and that it answers; the error names the registry and why. */
export async function reachRegistry(address: string, ca: string): Promise<void> {
  await trustRegistry(address, ca);
  const problem = await registryProblem(address);
  if (problem) throw new Error(`Berth's registry at ${address} did not answer (${problem}).`);
}
