// Browser terminals into containers: admins and owners only, each session audited. A session belongs to
// the user who opened it; its id alone grants nothing.
import { randomUUID } from "node:crypto";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { adminRedis } from "@/lib/redis/admin";
import { NotFoundError, ValidationError } from "@/lib/errors";
import { callHost } from "@/lib/hosts/call-host";
import { execStreamKey, terminalInput } from "@/lib/hosts/protocol";
import { containerExecJob } from "@/lib/jobs/host-jobs";
import { parseInput } from "@/lib/validation/parse";
import { recordAudit } from "./audit";
import { getContainer } from "./containers";
import { authorize, type TeamContext } from "./context";
import { getHost } from "./hosts";

const metaKey = (sessionId: string) => `berth:terminal:${sessionId}`;
type Meta = { teamId: string; userId: string; hostId: string; dockerId: string };

export async function openTerminal(ctx: TeamContext, hostId: string, dockerId: string, size: { cols: number; rows: number }) {
  authorize(ctx, "container.exec");
  const c = await getContainer(ctx, hostId, dockerId);
  const host = await getHost(ctx, hostId);
  if (host.status !== "ONLINE") throw new ValidationError(`${host.name} is offline.`);
  if (c.state !== "running") throw new ValidationError("The container is not running.");
  const sessionId = randomUUID();
  const meta: Meta = { teamId: ctx.team.id, userId: ctx.actor.id, hostId, dockerId: c.dockerId };
  await adminRedis().set(metaKey(sessionId), JSON.stringify(meta), "EX", 6 * 3600);
  await db.$transaction((tx) =>
    recordAudit(tx, ctx.actor, { teamId: ctx.team.id, action: "container.exec", target: { type: "container", id: c.dockerId, label: `${c.host.name}/${c.name}` }, data: { sessionId } }),
  );
  await callHost(hostId, containerExecJob, { dockerId: c.dockerId, sessionId, ...size }, 15_000);
  return { sessionId };
}

/** The session's streams, for its owner only (and only while they may still open terminals). */
export async function terminalSession(ctx: TeamContext, sessionId: string) {
  authorize(ctx, "container.exec");
  const raw = /^[0-9a-f-]{36}$/.test(sessionId) ? await adminRedis().get(metaKey(sessionId)) : null;
  const meta = raw ? (JSON.parse(raw) as Meta) : null;
  if (!meta || meta.teamId !== ctx.team.id || meta.userId !== ctx.actor.id) throw new NotFoundError("Terminal session not found");
  return {
    out: execStreamKey(env.queuePrefix, meta.hostId, sessionId, "out"),
    in: execStreamKey(env.queuePrefix, meta.hostId, sessionId, "in"),
  };
}

export async function sendTerminalInput(ctx: TeamContext, sessionId: string, input: unknown) {
  const keys = await terminalSession(ctx, sessionId);
  const msg = parseInput(terminalInput, input);
  await adminRedis().xadd(keys.in, "MAXLEN", "~", "1000", "*", "m", JSON.stringify(msg));
  await adminRedis().expire(keys.in, 6 * 3600);
}
