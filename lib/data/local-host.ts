// The machine running Berth is a host too, registered without any step by the user: it belongs to the
// instance's first team (or waits for it), and its agent's credentials live in .berth/ beside the secrets.
import { createHash } from "node:crypto";
import { db } from "@/lib/db";
import { provisionHostUser } from "@/lib/hosts/redis-acl";
import { newHostToken } from "./host-auth";

export async function ensureLocalHost(saved?: { id: string; token: string }): Promise<{ id: string; token: string }> {
  const firstTeam = await db.team.findFirst({ orderBy: { createdAt: "asc" }, select: { id: true } });
  let host = await db.host.findFirst({ where: { isLocal: true }, select: { id: true, tokenHash: true, teamId: true } });
  let token = saved?.token;
  if (!host) {
    const fresh = newHostToken();
    token = fresh.token;
    host = await db.host.create({
      data: { name: "This machine", isLocal: true, teamId: firstTeam?.id, tokenHash: fresh.tokenHash },
      select: { id: true, tokenHash: true, teamId: true },
    });
  } else if (!token || saved?.id !== host.id || createHash("sha256").update(token).digest("hex") !== host.tokenHash) {
    const fresh = newHostToken(); // the saved credentials are gone or stale: rotate
    token = fresh.token;
    await db.host.update({ where: { id: host.id }, data: { tokenHash: fresh.tokenHash } });
    host.tokenHash = fresh.tokenHash;
  }
  if (!host.teamId && firstTeam) await db.host.update({ where: { id: host.id }, data: { teamId: firstTeam.id } });
  await provisionHostUser(host.id, host.tokenHash);
  return { id: host.id, token: token! };
}
