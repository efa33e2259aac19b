// Connects to the local Docker Engine and pins the client to the API version the Engine itself reports,
// so requests never use a newer API than the daemon speaks (Docker 20.10 stops at 1.41).
import http from "node:http";
import Dockerode from "dockerode";

export type DockerEndpoint = { socketPath: string } | { host: string; port: number };

const DEFAULT_SOCKET = "/var/run/docker.sock";
const PING_TIMEOUT_MS = 5_000;

/** Reads DOCKER_HOST the way the docker CLI does for the two forms the agent supports. */
export function parseDockerHost(value: string | undefined): DockerEndpoint {
  const v = value?.trim();
  if (!v) return { socketPath: DEFAULT_SOCKET };
  if (v.startsWith("unix://")) return { socketPath: v.slice("unix://".length) || DEFAULT_SOCKET };
  if (v.startsWith("tcp://")) {
    const url = new URL(v.replace(/^tcp:/, "http:"));
    // 2375 is Docker's plain-HTTP port; TLS (2376) is not supported by the agent.
    return { host: url.hostname.replace(/^\[|\]$/g, ""), port: url.port ? Number(url.port) : 2375 };
  }
  throw new Error(`DOCKER_HOST must be unix:///path or tcp://host:port, got ${JSON.stringify(v)}`);
}

/** GET /_ping without an API version prefix; the Engine answers with its version in the API-Version header. */
export function pingApiVersion(endpoint: DockerEndpoint): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request({ ...endpoint, method: "GET", path: "/_ping", timeout: PING_TIMEOUT_MS }, (res) => {
      res.resume();
      const header = res.headers["api-version"];
      const version = Array.isArray(header) ? header[0] : header;
      if (res.statusCode !== 200) reject(new Error(`Docker Engine /_ping answered HTTP ${res.statusCode}`));
      else if (!version || !/^\d+\.\d+$/.test(version)) reject(new Error("Docker Engine /_ping sent no API-Version header"));
      else resolve(version);
    });
    req.on("timeout", () => req.destroy(new Error(`Docker Engine did not answer /_ping within ${PING_TIMEOUT_MS} ms`)));
    req.on("error", reject);
    req.end();
  });
}

export async function connectDocker(): Promise<{ docker: Dockerode; apiVersion: string }> {
  const endpoint = parseDockerHost(process.env.DOCKER_HOST);
  const apiVersion = await pingApiVersion(endpoint);
  const docker =
    "socketPath" in endpoint
      ? new Dockerode({ socketPath: endpoint.socketPath, version: `v${apiVersion}` })
      : new Dockerode({ host: endpoint.host, port: endpoint.port, protocol: "http", version: `v${apiVersion}` });
  return { docker, apiVersion };
}
