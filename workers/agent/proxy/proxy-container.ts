// The host's reverse proxy when the agent runs from its image: Caddy in a container of its own, `berth-proxy`,
// from the agent's own image (it carries caddy), on the host's network (ports 80/443, admin API on
// 127.0.0.1:2019, which caddy.ts drives as it drives a Caddy installed on the machine). Caddy keeps its
// configuration in a volume (--resume: every change the agent made survives a restart of Caddy or of the
// machine) and its certificates in another. The container outlives the agent: an agent update leaves it,
// and what it serves, alone.
import http from "node:http";
import type Dockerode from "dockerode";
import { inspectOwnContainer } from "../own-container";

export const PROXY_CONTAINER = "berth-proxy";

export type ProxyContainerOptions = {
  name?: string;
  /** The agent's own image unless given. */
  image?: string;
  /** Caddy's admin address, written into its first configuration. */
  adminListen?: string;
  /** "host" unless given (tests use a bridge network on an engine that runs its own Caddy). */
  networkMode?: string;
};

const notFound = (e: unknown) => (e as { statusCode?: number }).statusCode === 404;
const conflict = (e: unknown) => (e as { statusCode?: number }).statusCode === 409;

/** Creates and starts the proxy container if it is missing, starts it if stopped; returns it inspected. */
export async function ensureProxyContainer(
  docker: Dockerode,
  log: (m: string) => void,
  o: ProxyContainerOptions = {},
): Promise<Dockerode.ContainerInspectInfo> {
  const name = o.name ?? PROXY_CONTAINER;
  const existing = await docker
    .getContainer(name)
    .inspect()
    .catch((e) => {
      if (notFound(e)) return null;
      throw e;
    });
  if (existing?.State.Running) return existing;
  if (existing) {
    log(`starting the proxy container ${name}`);
    await docker.getContainer(existing.Id).start();
    return docker.getContainer(existing.Id).inspect();
  }
  const image = o.image ?? (await inspectOwnContainer(docker)).Image;
  log(`creating the proxy container ${name}`);
  let container: Dockerode.Container;
  try {
    container = await docker.createContainer({
      name,
      Image: image,
      Cmd: ["caddy", "run", "--resume", "--config", "/config/caddy.json"],
      // Caddy's autosave goes to /config/caddy/autosave.json, its certificates and keys under /data/caddy.
      Env: ["XDG_CONFIG_HOME=/config", "XDG_DATA_HOME=/data"],
      Labels: { "berth.proxy": "caddy" },
      HostConfig: {
        NetworkMode: o.networkMode ?? "host",
        RestartPolicy: { Name: "unless-stopped", MaximumRetryCount: 0 },
        Binds: [`${name}-config:/config`, `${name}-data:/data`],
      },
    });
  } catch (e) {
    if (!conflict(e)) throw e;
    return ensureProxyContainer(docker, log, o); // another agent process made it meanwhile
  }
  // Its first configuration (only the admin address: caddy.ts builds Berth's server through the API). A
  // later start resumes from the autosave instead, so writing this again on a new container loses nothing.
  const initial = JSON.stringify({ admin: { listen: o.adminListen ?? "127.0.0.1:2019" } });
  await container.putArchive(tarOfOneFile("caddy.json", initial), { path: "/config" });
  await container.start();
  return container.inspect();
}

/** Waits until Caddy's admin API answers (a fresh container takes a moment); false after `timeoutMs`. */
export async function waitForAdmin(adminUrl: string, timeoutMs = 15_000): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const req = http.get(`${adminUrl.replace(/\/+$/, "")}/config/`, { agent: false, timeout: 1000 }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.on("timeout", () => req.destroy());
      req.on("error", () => resolve(false));
    });
    if (ok) return true;
    if (Date.now() >= until) return false;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A tar archive holding one file (what Docker's archive API takes): a ustar header, the content, padding. */
export function tarOfOneFile(name: string, content: string, mode = 0o644): Buffer {
  const data = Buffer.from(content, "utf8");
  const header = Buffer.alloc(512);
  const field = (offset: number, length: number, value: string) => header.write(value, offset, length, "ascii");
  const octal = (offset: number, length: number, n: number) => field(offset, length, `${n.toString(8).padStart(length - 1, "0")}\0`);
  field(0, 100, name);
  octal(100, 8, mode);
  octal(108, 8, 0);
  octal(116, 8, 0);
  octal(124, 12, data.length);
  octal(136, 12, Math.floor(Date.now() / 1000));
  field(148, 8, "        "); // the checksum counts its own field as spaces
  field(156, 1, "0");
  field(257, 8, "ustar\u000000");
  let sum = 0;
  for (const byte of header) sum += byte;
  field(148, 8, `${sum.toString(8).padStart(6, "0")}\0 `);
  const padding = Buffer.alloc((512 - (data.length % 512)) % 512);
  return Buffer.concat([header, data, padding, Buffer.alloc(1024)]);
}

/**
 * For createProxy's `prepare` in the agent image: the container running, and Caddy answering in it. A Caddy
 * the machine runs already (answering on the admin address, with no berth-proxy container) is driven
 * instead: a second one would not fail but share ports 80 and 2019 with it (Caddy binds with SO_REUSEPORT),
 * each answering some of the connections.
 */
export function proxyContainerPreparer(docker: Dockerode, log: (m: string) => void): () => Promise<void> {
  const admin = "http://127.0.0.1:2019";
  let told = false;
  return async () => {
    const mine = await docker
      .getContainer(PROXY_CONTAINER)
      .inspect()
      .catch((e) => {
        if (notFound(e)) return null;
        throw e;
      });
    if (!mine && (await waitForAdmin(admin, 0))) {
      if (!told) log(`a Caddy already answers on ${admin.slice("http://".length)}: the agent drives it, and starts no ${PROXY_CONTAINER} container`);
      told = true;
      return;
    }
    await ensureProxyContainer(docker, log);
    if (!(await waitForAdmin(admin))) {
      throw new Error(
        `The proxy container ${PROXY_CONTAINER} runs, but Caddy's admin API does not answer on 127.0.0.1:2019: see \`docker logs ${PROXY_CONTAINER}\``,
      );
    }
  };
}
