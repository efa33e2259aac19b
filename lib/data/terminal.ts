// Browser terminals into containers: admins and owners only, each session audited. A session belongs to
// the user who opened it; its id alone grants nothing. Its key (made by the agent, returned sealed to this
// process) is kept in the session's record sealed under the master key; every keystroke and output chunk
// rests in Redis only sealed under it, and is deleted once read.
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { masterKeysFromEnv, open, seal } from "@/lib/crypto/secret-box";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { adminRedis } from "@/lib/redis/admin";
import { NotFoundError, ValidationError } from "@/lib/errors";
import { callHost } from "@/lib/hosts/call-host";
import { execStreamKey, terminalInput } from "@/lib/hosts/protocol";
import { openEntry, sealEntry, TERMINAL_STREAM_TTL_S } from "@/lib/hosts/terminal-box";
import { containerExecJob } from "@/lib/jobs/host-jobs";
import { parseInput } from "@/lib/validation/parse";
import { recordAudit } from "./audit";
import { getContainer } from "./containers";
import { authorize, type TeamContext } from "./context";
import { getHost } from "./hosts";

const metaKey = (sessionId: string) => `berth:terminal:${sessionId}`;
const META_TTL_S = 6 * 3600;
/** `key`: the session's key, sealed under the master key. */
type Meta = { teamId: string; userId: string; hostId: string; dockerId: string; key: string };

export async function openTerminal(ctx: TeamContext, hostId: string, dockerId: string, size: { cols: number; rows: number }) {
  authorize(ctx, "container.exec");
  const c = await getContainer(ctx, hostId, dockerId);
  const host = await getHost(ctx, hostId);
  if (host.status !== "ONLINE") throw new ValidationError(`${host.name} is offline.`);
  if (host.protocolProblem) throw new ValidationError(host.protocolProblem);
  if (c.state !== "running") throw new ValidationError("The container is not running.");
  const sessionId = randomUUID();
  await db.$transaction((tx) =>
    recordAudit(tx, ctx.actor, {
      teamId: ctx.team.id,
      action: "container.exec",
      target: { type: "container", id: c.dockerId, label: `${c.host.name}/${c.name}` },
      data: { sessionId },
    }),
  );
  const { key } = await callHost(hostId, containerExecJob, { dockerId: c.dockerId, sessionId, ...size }, 15_000);
  const meta: Meta = { teamId: ctx.team.id, userId: ctx.actor.id, hostId, dockerId: c.dockerId, key: seal(key, metaKey(sessionId), masterKeysFromEnv()) };
  await adminRedis().set(metaKey(sessionId), JSON.stringify(meta), "EX", META_TTL_S);
  return { sessionId };
}

/** The session's streams and key, for its owner only (and only while they may still open terminals). */
async function terminalSession(ctx: TeamContext, sessionId: string) {
  authorize(ctx, "container.exec");
  const raw = /^[0-9a-f-]{36}$/.test(sessionId) ? await adminRedis().get(metaKey(sessionId)) : null;
  const meta = raw ? (JSON.parse(raw) as Meta) : null;
  if (!meta || meta.teamId !== ctx.team.id || meta.userId !== ctx.actor.id) throw new NotFoundError("Terminal session not found");
  return {
    out: execStreamKey(env.queuePrefix, meta.hostId, sessionId, "out"),
    in: execStreamKey(env.queuePrefix, meta.hostId, sessionId, "in"),
    key: open(meta.key, metaKey(sessionId), masterKeysFromEnv()),
  };
}

export async function sendTerminalInput(ctx: TeamContext, sessionId: string, input: unknown) {
  const s = await terminalSession(ctx, sessionId);
  const msg = parseInput(terminalInput, input);
  await adminRedis()
    .multi()
    .xadd(s.in, "MAXLEN", "~", "1000", "*", "m", sealEntry(s.key, s.in, JSON.stringify(msg)))
    .expire(s.in, TERMINAL_STREAM_TTL_S)
    .exec();
}

/** `data`: raw terminal bytes, base64. `idle`: nothing for a while (a chance to keep the connection alive). */
export type TerminalOutput = { type: "data"; data: string } | { type: "end"; code: string } | { type: "idle" };

/**
 * The session's output, for its owner: checks access at once (so a stranger gets "not found" before any
 * stream starts), then yields each chunk opened, deleting what it read and the whole stream at its end.
 */
export async function terminalOutput(ctx: TeamContext, sessionId: string, signal: AbortSignal): Promise<AsyncGenerator<TerminalOutput>> {
  const s = await terminalSession(ctx, sessionId);
  return readOutput(s, signal);
}

async function* readOutput(s: { out: string; key: string }, signal: AbortSignal): AsyncGenerator<TerminalOutput> {
  const reader = new Redis(env.redisUrl, { maxRetriesPerRequest: 1 }); // XREAD BLOCK needs its own connection
  reader.on("error", () => {});
  const stop = () => reader.disconnect();
  signal.addEventListener("abort", stop);
  try {
    let last = "0";
    while (!signal.aborted) {
      let res: [string, [string, string[]][]][] | null;
      try {
        res = (await reader.xread("BLOCK", 15_000, "STREAMS", s.out, last)) as typeof res;
      } catch (e) {
        if (signal.aborted) return;
        throw e;
      }
      if (!res) yield { type: "idle" };
      for (const [, entries] of res ?? []) {
        if (entries.length) await adminRedis().xdel(s.out, ...entries.map(([id]) => id));
        for (const [id, fields] of entries) {
          last = id;
          if (fields[0] === "end") {
            await adminRedis().del(s.out);
            yield { type: "end", code: fields[1] ?? "" };
            return;
          }
          const data = opened(s.key, s.out, fields[1]);
          if (data !== null) yield { type: "data", data };
        }
      }
    }
  } finally {
    signal.removeEventListener("abort", stop);
    reader.disconnect();
  }
}

function opened(key: string, stream: string, sealed: string | undefined): string | null {
  try {
    return openEntry(key, stream, sealed ?? "");
  } catch {
    return null; // not sealed under this session's key: not from its agent
  }
}
