// Berth's registry as this agent uses it: dockerd trusts it by the CA in /etc/docker/certs.d/<address>/ca.crt
// (read on every connection, so writing it needs no restart), this host logs in as host-<id> with its own
// password (the registry's token service lets it push under its own id and pull its team's releases), and a
// registry or token service that does not answer, or a login it refuses, is said so at once, before Docker
// retries for a minute and says less.
import fs from "node:fs/promises";
import http from "node:http";
import https from "node:https";
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

type Answer = { status: number; headers: Record<string, string | string[] | undefined> };

/** One GET with Berth's CA pinned, 10 s at most; rejects with the reason (a code such as ECONNREFUSED, or a timeout). */
function get(url: string, ca: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = (url.startsWith("https:") ? https : http).get(url, { ca, headers, timeout: CONNECT_MS }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, headers: res.headers });
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${CONNECT_MS / 1000} s`)));
    req.on("error", (e: NodeJS.ErrnoException) => reject(new Error(e.code ?? e.message)));
  });
}

/**
 * Makes sure dockerd trusts the registry, that it answers, and that it gives this host a token for `scope`
 * (e.g. repository:<repo>:pull), so that a registry or token service that is down, or a login it refuses,
 * fails in seconds with the reason, rather than after Docker's own minute of retries with none.
 */
export async function reachRegistry(address: string, ca: string, login: ReturnType<typeof registryAuth>, scope: string): Promise<void> {
  await trustRegistry(address, ca);
  const base = await get(`https://${address}/v2/`, ca).catch((e: Error) => {
    throw new Error(`Berth's registry at ${address} did not answer (${e.message}).`);
  });
  if (base.status !== 401) return; // no login asked
  const challenge = String(base.headers["www-authenticate"] ?? "");
  const realm = /realm="([^"]+)"/.exec(challenge)?.[1];
  const service = /service="([^"]+)"/.exec(challenge)?.[1];
  if (!realm || !/^Bearer /i.test(challenge)) return; // another scheme: Docker handles it
  const url = new URL(realm);
  if (service) url.searchParams.set("service", service);
  url.searchParams.set("scope", scope);
  const basic = Buffer.from(`${login.username}:${login.password}`).toString("base64");
  const token = await get(url.toString(), ca, { authorization: `Basic ${basic}` }).catch((e: Error) => {
    throw new Error(`Berth's registry at ${address} gives logins through ${url.origin}, which did not answer (${e.message}).`);
  });
  if (token.status === 401 || token.status === 403) throw new Error(`Berth's registry at ${address} refused this host's login (HTTP ${token.status}).`);
  if (token.status !== 200) throw new Error(`Berth's registry at ${address} gave no login: ${url.origin} answered HTTP ${token.status}.`);
}
