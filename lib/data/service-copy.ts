// One service copied into another environment (a cloned environment, a pull request's preview): the same
// source and settings, a git service's credential sealed again to the copy (secrets are bound to their
// service), custom domains left behind (they route to the original) and no webhook secret (the copy makes
// its own when asked). Inside the caller's transaction.
import { masterKeysFromEnv, open, seal } from "@/lib/crypto/secret-box";
import type { Tx } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import { credentialAad } from "./git-services";

export const SERVICE_COPY_SELECT = {
  id: true,
  name: true,
  source: true,
  image: true,
  command: true,
  ports: true,
  volumes: true,
  restartPolicy: true,
  hostId: true,
  gitUrl: true,
  gitBranch: true,
  gitSubdir: true,
  dockerfile: true,
  httpPort: true,
  healthPath: true,
  healthTimeoutSec: true,
  gitAuth: true,
  gitPublicKey: true,
  gitCredential: true,
  gitHostKeys: true,
  keepReleases: true,
} as const;

export type CopiedService = Prisma.ServiceGetPayload<{ select: typeof SERVICE_COPY_SELECT }>;

export async function copyService(tx: Tx, from: CopiedService, environmentId: string): Promise<{ id: string }> {
  const { id: fromId, gitCredential, command, ports, volumes, ...rest } = from;
  const copy = await tx.service.create({
    data: { ...rest, command: command ?? [], ports: ports ?? [], volumes: volumes ?? [], domains: [], environmentId },
    select: { id: true },
  });
  if (gitCredential) {
    const keys = masterKeysFromEnv();
    await tx.service.update({
      where: { id: copy.id },
      data: { gitCredential: seal(open(gitCredential, credentialAad(fromId), keys), credentialAad(copy.id), keys) },
    });
  }
  return copy;
}
