// Push webhooks. The entry point has no session: the service's webhook secret is the authorisation, checked
// against the raw body before anything in it is trusted. A delivery id acts once; a newer push cancels
// older pushes of the same service still waiting in the queue.
import { masterKeysFromEnv, open } from "@/lib/crypto/secret-box";
import { db } from "@/lib/db";
import { ending } from "@/lib/deploy/states";
import { AppError, NotFoundError } from "@/lib/errors";
import type { HeaderSource } from "@/lib/webhooks/headers";
import { detectProvider, parsePush, verifyWebhook } from "@/lib/webhooks/verify";
import { webhookSecretAad } from "../git-services";
import { isUniqueViolation } from "../unique-violation";
import { insertDeployment, nudgeScheduler } from "./create";

export type WebhookOutcome = { status: number; body: { deployment?: string; number?: number; ignored?: string; duplicate?: boolean } };

export async function receivePushWebhook(serviceId: string, headers: HeaderSource, rawBody: Buffer): Promise<WebhookOutcome> {
  const s = await db.service.findFirst({
    where: { id: String(serviceId), source: "git" },
    select: { id: true, name: true, hostId: true, gitBranch: true, webhookSecret: true, environment: { select: { name: true, project: { select: { teamId: true, name: true, archivedAt: true } } } } },
  });
  if (!s || !s.webhookSecret) throw new NotFoundError("No such webhook");
  const provider = detectProvider(headers);
  const verified = verifyWebhook(provider, open(s.webhookSecret, webhookSecretAad(s.id), masterKeysFromEnv()), headers, rawBody);
  if (!verified.ok) throw new AppError(`Webhook refused: ${verified.reason}.`, 401, "bad_signature");
  let body: unknown;
  try {
    body = JSON.parse(rawBody.toString("utf8"));
  } catch {
    throw new AppError("The webhook body is not JSON.", 400, "invalid");
  }
  const push = parsePush(provider, headers, body);
  if (!push.ok) {
    if (push.reason.startsWith("ignored")) return { status: 202, body: { ignored: push.reason } };
    throw new AppError(`Not a push this service can deploy: ${push.reason}.`, 400, "invalid");
  }
  if (push.branch !== s.gitBranch) return { status: 202, body: { ignored: `ignored: the push is to ${push.branch ?? push.ref}; ${s.name} deploys ${s.gitBranch}` } };
  if (s.environment.project.archivedAt) return { status: 202, body: { ignored: "ignored: the project is archived" } };

  const teamId = s.environment.project.teamId;
  const label = `${s.environment.project.name}/${s.environment.name}/${s.name}`;
  try {
    const d = await db.$transaction(async (tx) => {
      await tx.webhookDelivery.create({ data: { serviceId: s.id, deliveryId: push.deliveryId ?? `commit:${push.commit}` } });
      const d = await insertDeployment(tx, { teamId, service: { id: s.id, hostId: s.hostId, label }, trigger: "webhook", ref: push.branch, requestedCommit: push.commit, actor: null, audit: { provider, commit: push.commit } });
      const older = await tx.deployment.findMany({ where: { serviceId: s.id, trigger: "webhook", status: "QUEUED", dispatchedAt: null, id: { not: d.id } }, select: { id: true, steps: true } });
      const now = new Date();
      for (const o of older) {
        await tx.deployment.updateMany({
          where: { id: o.id, status: "QUEUED", dispatchedAt: null },
          data: { ...ending(o.steps, "CANCELLED", now), supersededById: d.id, error: `Superseded by #${d.number}, a newer push.`, log: "" },
        });
      }
      return d;
    });
    await nudgeScheduler({ teamId, serviceId: s.id, hostId: s.hostId });
    return { status: 201, body: { deployment: d.id, number: d.number } };
  } catch (e) {
    if (isUniqueViolation(e)) return { status: 200, body: { duplicate: true } };
    throw e;
  }
}
