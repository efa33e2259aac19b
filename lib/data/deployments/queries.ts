// Reading deployments: a service's list, one deployment with its timed steps and queue position, and its log.
import { db } from "@/lib/db";
import { isTerminal, timedSteps, type Step } from "@/lib/deploy/states";
import { NotFoundError } from "@/lib/errors";
import { authorize, type TeamContext } from "../context";
import { readLogStream } from "./log-stream";

const listSelect = {
  id: true,
  number: true,
  status: true,
  trigger: true,
  ref: true,
  commitSha: true,
  commitMessage: true,
  commitAuthor: true,
  imageId: true,
  image: true,
  imagePrunedAt: true,
  registryRepo: true,
  imageDigest: true,
  pushError: true,
  error: true,
  steps: true,
  actorEmail: true,
  createdAt: true,
  finishedAt: true,
  hostId: true,
  dispatchedAt: true,
  sourceId: true,
} as const;

export async function listDeployments(ctx: TeamContext, serviceId: string, take = 30) {
  authorize(ctx, "project.read");
  const rows = await db.deployment.findMany({
    where: { serviceId: String(serviceId), teamId: ctx.team.id },
    orderBy: { number: "desc" },
    take,
    select: listSelect,
  });
  return rows.map((d) => ({ ...d, timed: timedSteps(d.steps as Step[], d.finishedAt) }));
}

/** 1 = next to start on its host. */
async function queuePosition(d: { id: string; hostId: string | null; createdAt: Date }) {
  return 1 + (await db.deployment.count({ where: { hostId: d.hostId, status: "QUEUED", dispatchedAt: null, createdAt: { lt: d.createdAt } } }));
}

export async function getDeployment(ctx: TeamContext, deploymentId: string) {
  authorize(ctx, "project.read");
  const d = await db.deployment.findFirst({
    where: { id: String(deploymentId), teamId: ctx.team.id },
    select: {
      ...listSelect,
      configKeys: true,
      cancelRequested: true,
      supersededById: true,
      service: {
        select: {
          id: true,
          name: true,
          environmentId: true,
          environment: { select: { slug: true, name: true, protected: true, project: { select: { slug: true, name: true } } } },
        },
      },
      host: { select: { id: true, name: true } },
    },
  });
  if (!d) throw new NotFoundError("Deployment not found");
  const waiting = d.status === "QUEUED" && !d.dispatchedAt;
  const timed = timedSteps(d.steps as Step[], d.finishedAt);
  // A release run again is pulled from Berth's registry when it ran on another host (or this host lost it).
  const source = d.sourceId ? await db.deployment.findUnique({ where: { id: d.sourceId }, select: { hostId: true } }) : null;
  const pullsRelease = Boolean(source && source.hostId !== d.hostId) || timed.some((t) => t.status === "PULLING");
  return { ...d, timed, pullsRelease, position: waiting ? await queuePosition(d) : null };
}

/** Where a reader of the log is: lines read so far, and the last Redis stream entry id read. */
export type LogCursor = { line: number; entry: string };

export function parseLogCursor(raw: string | null): LogCursor {
  const m = /^(\d{1,9}):(\d{1,20}-\d{1,20}|-)$/.exec(raw ?? "");
  return m ? { line: Number(m[1]), entry: m[2]! } : { line: 0, entry: "-" };
}

/** Log lines after the cursor, each with the cursor that follows it. Ended deployments read the copy in Postgres. */
export async function deploymentLog(ctx: TeamContext, deploymentId: string, cursor: LogCursor = { line: 0, entry: "-" }) {
  authorize(ctx, "project.read");
  const d = await db.deployment.findFirst({
    where: { id: String(deploymentId), teamId: ctx.team.id },
    select: { id: true, status: true, error: true, hostId: true, log: true, steps: true },
  });
  if (!d) throw new NotFoundError("Deployment not found");
  const state = { status: d.status, error: d.error, steps: d.steps as Step[] };
  if (isTerminal(d.status) && d.log !== null) {
    const lines = d.log === "" ? [] : d.log.split("\n");
    return { ended: true, ...state, lines: lines.slice(cursor.line).map((line, i) => ({ line, cursor: `${cursor.line + i + 1}:${cursor.entry}` })) };
  }
  const entries = d.hostId ? await readLogStream(d.hostId, d.id, cursor.entry) : [];
  return { ended: isTerminal(d.status), ...state, lines: entries.map((e, i) => ({ line: e.line, cursor: `${cursor.line + i + 1}:${e.id}` })) };
}
