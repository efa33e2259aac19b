// Many host and container rows at once, written straight to the database as an agent's reports would leave
// them (no agent, no Redis login): for the paged lists' tests. Containers are named `<prefix>-0001`… so their
// order by name is their number.
import { randomBytes } from "node:crypto";
import { db } from "@/lib/db";

export async function insertHosts(teamId: string, hosts: { name: string; status?: "PENDING" | "ONLINE" | "OFFLINE" }[]) {
  await db.host.createMany({
    data: hosts.map((h) => ({ teamId, name: h.name, status: h.status ?? "ONLINE", tokenHash: randomBytes(32).toString("hex"), lastHeartbeatAt: new Date() })),
  });
  return db.host.findMany({ where: { teamId, name: { in: hosts.map((h) => h.name) } }, select: { id: true, name: true } });
}

export type FakeContainer = { dockerId: string; name: string; state: string };

/** `count` containers on the host: every fifth exited, the rest running; images alternate nginx and redis. */
export async function insertContainers(hostId: string, count: number, prefix = "app"): Promise<FakeContainer[]> {
  const now = new Date();
  const rows = Array.from({ length: count }, (_, i) => {
    const n = String(i + 1).padStart(4, "0");
    const exited = (i + 1) % 5 === 0;
    return {
      hostId,
      dockerId: randomBytes(32).toString("hex"),
      name: `${prefix}-${n}`,
      image: i % 2 ? "redis:7" : "nginx:1.27",
      imageId: `sha256:${"0".repeat(64)}`,
      command: "run",
      state: exited ? "exited" : "running",
      status: exited ? "Exited (0) 1 minute ago" : "Up 5 minutes",
      ports: [],
      labels: {},
      restartPolicy: "no",
      createdAt: now,
      reportedAt: now,
    };
  });
  for (let i = 0; i < rows.length; i += 1000) await db.container.createMany({ data: rows.slice(i, i + 1000) });
  return rows.map(({ dockerId, name, state }) => ({ dockerId, name, state }));
}
