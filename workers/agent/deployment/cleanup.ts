// What a previous run of this agent left behind when it died mid-deployment: candidate containers that
// never went live on this host (unless the proxy already routes to one) and build directories. Their deployments are
// failed by the control plane when their leases expire.
import { readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type Dockerode from "dockerode";
import { CANDIDATE_MARK } from "./candidate";
import { BUILD_DIR_PREFIX, type RouteTable } from "./pipeline";

export async function cleanUpAfterRestart(docker: Dockerode, proxy: RouteTable, hostId: string, log: (m: string) => void) {
  const upstreams = new Set((await proxy.listRoutes().catch(() => [])).map((r) => r.upstream.split(":")[0]));
  const leftovers = await docker.listContainers({ all: true, filters: { label: ["berth.deployment.id", `berth.host.id=${hostId}`] } });
  for (const c of leftovers) {
    if (!c.Names.some((n) => n.includes(CANDIDATE_MARK))) continue;
    const ips = Object.values(c.NetworkSettings?.Networks ?? {}).map((n) => n.IPAddress);
    if (ips.some((ip) => upstreams.has(ip))) continue; // it went live just before the restart
    await docker
      .getContainer(c.Id)
      .remove({ force: true })
      .catch(() => {});
    log(`removed ${c.Names[0]}, left half-started by a deployment this agent did not finish`);
  }
  for (const entry of await readdir(tmpdir()).catch(() => [] as string[])) {
    if (entry.startsWith(`${BUILD_DIR_PREFIX}${hostId}-`)) await rm(path.join(tmpdir(), entry), { recursive: true, force: true }).catch(() => {});
  }
}
