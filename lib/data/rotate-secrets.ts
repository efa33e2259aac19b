// Master key rotation: after BERTH_MASTER_KEY is replaced (the old one moved to BERTH_MASTER_KEYS_PREVIOUS),
// re-seal every stored secret under the new key. Safe to run again; each row is re-sealed in place.
import { masterKeysFromEnv, needsReseal, open, seal } from "@/lib/crypto/secret-box";
import { db } from "@/lib/db";
import { variableAad as aad } from "./variables";

/** `teamId` limits the pass to one team (tests; or re-running for a team whose rows failed). */
export async function resealAllSecrets(teamId?: string): Promise<{ variables: number; versions: number }> {
  const keys = masterKeysFromEnv();
  let variables = 0;
  let versions = 0;
  for (const v of await db.variable.findMany({ where: { sealed: { not: null }, ...(teamId ? { teamId } : {}) }, select: { id: true, owner: true, key: true, sealed: true } })) {
    if (!needsReseal(v.sealed!, keys)) continue;
    await db.variable.update({ where: { id: v.id }, data: { sealed: seal(open(v.sealed!, aad(v.owner, v.key), keys), aad(v.owner, v.key), keys) } });
    variables++;
  }
  for (const v of await db.variableVersion.findMany({ where: { sealed: { not: null }, ...(teamId ? { teamId } : {}) }, select: { id: true, owner: true, key: true, sealed: true } })) {
    if (!needsReseal(v.sealed!, keys)) continue;
    await db.variableVersion.update({ where: { id: v.id }, data: { sealed: seal(open(v.sealed!, aad(v.owner, v.key), keys), aad(v.owner, v.key), keys) } });
    versions++;
  }
  return { variables, versions };
}
