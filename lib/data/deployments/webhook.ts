// Push webhooks. The entry point has no session: the service's webhook secret is the authorisation, checked
// against the raw body before anything in it is trusted. A delivery id acts once, and so does a push that
// several hooks deliver (same commit, other delivery ids); a newer push cancels older pushes of the same
// service still waiting in the queue. All of it is decided under the service's lock, taken first.
import { masterKeysFromEnv, open } from "@/lib/crypto/secret-box";
import { db, type Tx } from "@/lib/db";
import { ACTIVE_ORDER, ending } from "@/lib/deploy/states";
import { AppError, NotFoundError } from "@/lib/errors";
import type { HeaderSource } from "@/lib/webhooks/headers";
import { isPullRequestEvent } from "@/lib/webhooks/pull-request";
import { detectProvider, parsePush, verifyWebhook } from "@/lib/webhooks/verify";
import { webhookSecretAad } from "../git-services";
import { receivePullRequest } from "../previews/lifecycle";
import { insertDeployment, nudgeScheduler } from "./create";
import { retryOnConflict } from "./retry";
import { lockService } from "./service-lock";

const SAME_PUSH_MS = 10 * 60_000;

export type WebhookOutcome = {
  status: number;
  body: { deployment?: string; number?: number; ignored?: string; duplicate?: boolean; preview?: string; waiting?: string; closed?: boolean };
};

export async function receivePushWebhook(serviceId: string, headers: HeaderSource, rawBody: Buffer): Promise<WebhookOutcome> {
  const s = await db.service.findFirst({
    where: { id: String(serviceId), source: "git" },
    select: {
      id: true,
      name: true,
      hostId: true,
      gitBranch: true,
      webhookSecret: true,
      environment: { select: { name: true, project: { select: { teamId: true, name: true, archivedAt: true } } } },
    },
  });
  if (!s?.webhookSecret) throw new NotFoundError("No such webhook");
  const provider = detectProvider(headers);
  const verified = verifyWebhook(provider, open(s.webhookSecret, webhookSecretAad(s.id), masterKeysFromEnv()), headers, rawBody);
  if (!verified.ok) throw new AppError(`Webhook refused: ${verified.reason}.`, 401, "bad_signature");
  let body: unknown;
  try {
    body = JSON.parse(rawBody.toString("utf8"));
  } catch {
    throw new AppError("The webhook body is not JSON.", 400, "invalid");
  }
  // Pull/merge request events drive previews (lib/data/previews/lifecycle.ts); everything else is a push.
  if (isPullRequestEvent(provider, headers)) return receivePullRequest(s.id, provider, headers, body);
  const push = parsePush(provider, headers, body);
  if (!push.ok) {
    if (push.reason.startsWith("ignored")) return { status: 202, body: { ignored: push.reason } };
    throw new AppError(`Not a push this service can deploy: ${push.reason}.`, 400, "invalid");
  }
  if (push.branch !== s.gitBranch)
    return { status: 202, body: { ignored: `ignored: the push is to ${push.branch ?? push.ref}; ${s.name} deploys ${s.gitBranch}` } };
  if (s.environment.project.archivedAt) return { status: 202, body: { ignored: "ignored: the project is archived" } };

  const teamId = s.environment.project.teamId;
  const label = `${s.environment.project.name}/${s.environment.name}/${s.name}`;
  const deliveryId = push.deliveryId ?? `commit:${push.commit}`;
  const out = await retryOnConflict(() =>
    db.$transaction(
      async (tx): Promise<WebhookOutcome> => {
        // The service's lock first, before anything that references the service (service-lock.ts).
        if (!(await lockService(tx, s.id))) throw new NotFoundError("No such webhook");
        const fresh = await tx.webhookDelivery.createMany({ data: [{ serviceId: s.id, deliveryId }], skipDuplicates: true });
        if (fresh.count === 0) return { status: 200, body: { duplicate: true } };
        const same = await samePush(tx, s.id, push.commit);
        if (same) return { status: 200, body: { duplicate: true, deployment: same.id, number: same.number } };
        const d = await insertDeployment(tx, {
          teamId,
          service: { id: s.id, hostId: s.hostId, label },
          trigger: "webhook",
          ref: push.branch,
          requestedCommit: push.commit,
          actor: null,
          audit: { provider, commit: push.commit },
        });
        await supersedeQueuedPushes(tx, s.id, d);
        return { status: 201, body: { deployment: d.id, number: d.number } };
      },
      { maxWait: 10_000, timeout: 15_000 }, // twenty deliveries at once queue for the service's lock
    ),
  );
  if (out.status === 201) await nudgeScheduler({ teamId, serviceId: s.id, hostId: s.hostId });
  return out;
}

/**
 * A deployment that already answers this push: one of the commit still queued or running (any trigger), or
 * one a push of it started within SAME_PUSH_MS (ended or not). The repository's and the organisation's hook
 * deliver one push with different delivery ids, in any order and not always at once: a late copy of an
 * older push must neither build it again nor supersede the newer push queued meanwhile. A push of the same
 * commit later than that (a branch reset back to it) deploys again.
 */
async function samePush(tx: Tx, serviceId: string, commit: string) {
  return tx.deployment.findFirst({
    where: {
      serviceId,
      requestedCommit: commit,
      OR: [{ status: { in: [...ACTIVE_ORDER] } }, { trigger: "webhook", createdAt: { gt: new Date(Date.now() - SAME_PUSH_MS) } }],
    },
    orderBy: { number: "desc" },
    select: { id: true, number: true },
  });
}

/**
 * A newer push replaces older pushes still waiting in the queue. Only undispatched ones: a claimed one has
 * started (the scheduler's claim is the same compare-and-set on status and dispatchedAt), and the newer one
 * waits for it. Steps change only with status, which the condition pins, so the ones read are current.
 */
export async function supersedeQueuedPushes(tx: Tx, serviceId: string, newer: { id: string; number: number }) {
  const waiting = { serviceId, trigger: "webhook", status: "QUEUED", dispatchedAt: null, id: { not: newer.id } } as const;
  const older = await tx.deployment.findMany({ where: waiting, select: { id: true, steps: true } });
  const now = new Date();
  for (const o of older) {
    await tx.deployment.updateMany({
      where: { ...waiting, id: o.id },
      data: { ...ending(o.steps, "CANCELLED", now), supersededById: newer.id, error: `Superseded by #${newer.number}, a newer push.`, log: "" },
    });
  }
}
