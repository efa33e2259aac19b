// A simulated host's containers: realistic rows (lib/hosts/protocol.ts containerSummary) kept in memory, and the
// state changes the simulator reports as Docker events would cause them.
import { randomBytes } from "node:crypto";
import type { ContainerSummary } from "@/lib/hosts/protocol";

const APPS = ["web", "api", "worker", "cron", "redis", "postgres", "nginx", "queue", "auth", "search", "billing", "mailer"];
const IMAGES: Record<string, string> = {
  web: "ghcr.io/acme/web:2.14.1",
  api: "ghcr.io/acme/api:5.3.0",
  worker: "ghcr.io/acme/api:5.3.0",
  cron: "ghcr.io/acme/api:5.3.0",
  redis: "redis:7.2-alpine",
  postgres: "postgres:16",
  nginx: "nginx:1.27",
  queue: "rabbitmq:3.13-management",
  auth: "ghcr.io/acme/auth:1.9.4",
  search: "opensearchproject/opensearch:2.15.0",
  billing: "ghcr.io/acme/billing:0.42.7",
  mailer: "ghcr.io/acme/mailer:3.1.2",
};
const PORTS: Record<string, number> = { web: 3000, api: 8080, redis: 6379, postgres: 5432, nginx: 80, queue: 5672, auth: 9000, search: 9200, billing: 8081 };
const hex = (bytes: number) => randomBytes(bytes).toString("hex");
const imageIds = new Map(Object.values(IMAGES).map((i) => [i, `sha256:${hex(32)}`]));

/** `count` containers as `docker ps -a` would list them on a host running a few compose projects. */
export function makeContainers(count: number, hostName: string): ContainerSummary[] {
  const out: ContainerSummary[] = [];
  for (let i = 0; i < count; i++) {
    const app = APPS[i % APPS.length]!;
    const project = `stack${Math.floor(i / APPS.length)}`;
    const image = IMAGES[app]!;
    const created = new Date(Date.now() - (1 + (i % 40)) * 86_400_000).toISOString();
    const running = i % 10 !== 9; // one in ten stopped
    const port = PORTS[app];
    out.push({
      dockerId: hex(32),
      name: `${project}-${app}-1`,
      image,
      imageId: imageIds.get(image)!,
      command: app === "postgres" ? "docker-entrypoint.sh postgres" : `node dist/${app}.js`,
      state: running ? "running" : "exited",
      status: running ? `Up ${1 + (i % 23)} hours` : "Exited (0) 3 hours ago",
      health: app === "web" || app === "api" ? "healthy" : null,
      ports: port ? [{ privatePort: port, publicPort: app === "nginx" ? 8000 + (i % 1000) : null, type: "tcp", ip: app === "nginx" ? "0.0.0.0" : null }] : [],
      labels: {
        "com.docker.compose.project": project,
        "com.docker.compose.service": app,
        "com.docker.compose.container-number": "1",
        "com.docker.compose.config-hash": hex(32),
        "com.docker.compose.version": "2.29.1",
        "org.opencontainers.image.source": `https://github.com/acme/${app}`,
        "sim.host": hostName,
      },
      createdAt: created,
      startedAt: created,
      finishedAt: running ? null : new Date(Date.now() - 3 * 3_600_000).toISOString(),
      exitCode: running ? null : 0,
      restartPolicy: "unless-stopped",
    });
  }
  return out;
}

/** The row after a start (`running`) or a stop/kill (`exited`), as Docker would describe it just after. */
export function changeState(c: ContainerSummary, to: "running" | "exited", exitCode = 0): ContainerSummary {
  const now = new Date().toISOString();
  return to === "running"
    ? { ...c, state: "running", status: "Up Less than a second", startedAt: now, finishedAt: c.finishedAt, exitCode: null }
    : { ...c, state: "exited", status: `Exited (${exitCode}) Less than a second ago`, finishedAt: now, exitCode };
}
