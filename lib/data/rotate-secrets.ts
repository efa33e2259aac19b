// Master key rotation: after BERTH_MASTER_KEY is replaced (the old one moved to BERTH_MASTER_KEYS_PREVIOUS),
// re-seal every stored secret under the new key. Safe to run again; each row is re-sealed in place.
import { masterKeysFromEnv, needsReseal, open, seal } from "@/lib/crypto/secret-box";
import { db } from "@/lib/db";
import { configAad } from "./deployments/spec";
import { credentialAad, webhookSecretAad } from "./git-services";
import { statusTokenAad } from "./preview-settings";
import { variableAad as aad } from "./variables";
import { channelSecretAad, channelUrlAad } from "@/lib/notify/secrets";

/** `teamId` limits the pass to one team (tests; or re-running for a team whose rows failed). */
export async function resealAllSecrets(
  teamId?: string,
): Promise<{ variables: number; versions: number; services: number; deployments: number; notificationChannels: number }> {
  const keys = masterKeysFromEnv();
  let variables = 0;
  let versions = 0;
  for (const v of await db.variable.findMany({
    where: { sealed: { not: null }, ...(teamId ? { teamId } : {}) },
    select: { id: true, owner: true, key: true, sealed: true },
  })) {
    if (!needsReseal(v.sealed!, keys)) continue;
    await db.variable.update({ where: { id: v.id }, data: { sealed: seal(open(v.sealed!, aad(v.owner, v.key), keys), aad(v.owner, v.key), keys) } });
    variables++;
  }
  for (const v of await db.variableVersion.findMany({
    where: { sealed: { not: null }, ...(teamId ? { teamId } : {}) },
    select: { id: true, owner: true, key: true, sealed: true },
  })) {
    if (!needsReseal(v.sealed!, keys)) continue;
    await db.variableVersion.update({ where: { id: v.id }, data: { sealed: seal(open(v.sealed!, aad(v.owner, v.key), keys), aad(v.owner, v.key), keys) } });
    versions++;
  }
  const reseal = (sealed: string | null, aadOf: string) => (sealed && needsReseal(sealed, keys) ? seal(open(sealed, aadOf, keys), aadOf, keys) : null);
  let services = 0;
  const gitServices = await db.service.findMany({
    where: { source: "git", ...(teamId ? { environment: { project: { teamId } } } : {}) },
    select: { id: true, gitCredential: true, webhookSecret: true, previewStatusToken: true },
  });
  for (const s of gitServices) {
    const gitCredential = reseal(s.gitCredential, credentialAad(s.id));
    const webhookSecret = reseal(s.webhookSecret, webhookSecretAad(s.id));
    const previewStatusToken = reseal(s.previewStatusToken, statusTokenAad(s.id));
    if (!gitCredential && !webhookSecret && !previewStatusToken) continue;
    await db.service.update({
      where: { id: s.id },
      data: { ...(gitCredential ? { gitCredential } : {}), ...(webhookSecret ? { webhookSecret } : {}), ...(previewStatusToken ? { previewStatusToken } : {}) },
    });
    services++;
  }
  let deployments = 0;
  for (const d of await db.deployment.findMany({ where: { config: { not: null }, ...(teamId ? { teamId } : {}) }, select: { id: true, config: true } })) {
    const config = reseal(d.config, configAad(d.id));
    if (!config) continue;
    await db.deployment.update({ where: { id: d.id }, data: { config } });
    deployments++;
  }
  let notificationChannels = 0;
  for (const c of await db.notificationChannel.findMany({
    where: { OR: [{ urlSealed: { not: null } }, { signingSecret: { not: null } }], ...(teamId ? { teamId } : {}) },
    select: { id: true, urlSealed: true, signingSecret: true },
  })) {
    const urlSealed = reseal(c.urlSealed, channelUrlAad(c.id));
    const signingSecret = reseal(c.signingSecret, channelSecretAad(c.id));
    if (!urlSealed && !signingSecret) continue;
    await db.notificationChannel.update({ where: { id: c.id }, data: { ...(urlSealed ? { urlSealed } : {}), ...(signingSecret ? { signingSecret } : {}) } });
    notificationChannels++;
  }
  return { variables, versions, services, deployments, notificationChannels };
}
