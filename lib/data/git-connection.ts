// "Test connection" of a git service: its host's agent runs `git ls-remote` of the branch with the service's
// credential and pinned host keys (lib/hosts/git-check.ts), so the answer is what a deployment's clone would
// meet from there. The instructions wait sealed for that host only; the answer comes back sealed to this
// call. Those who may deploy the service may test it; each test is audited (it uses the credential), and a
// host key the server offers instead of the pinned one is recorded for an admin to accept.
import { randomUUID } from "node:crypto";
import { db } from "@/lib/db";
import { env as appEnv } from "@/lib/env";
import { ValidationError } from "@/lib/errors";
import type { GitProblem } from "@/lib/git/explain";
import { hostKeyFingerprints } from "@/lib/git/known-hosts";
import { callHost } from "@/lib/hosts/call-host";
import { gitCheckKey, gitCheckSpec, type GitCheckResult } from "@/lib/hosts/git-check";
import { sealForHost } from "@/lib/hosts/host-seal";
import { gitCheckJob } from "@/lib/jobs/host-jobs";
import { adminRedis } from "@/lib/redis/admin";
import { recordAudit } from "./audit";
import type { TeamContext } from "./context";
import { recordReportedHostKeys } from "./git-host-keys";
import { openGitCredential } from "./git-services";
import { assertCanChange } from "./projects";
import { getService } from "./services";

const SPEC_TTL_SECONDS = 120;
const ANSWER_TIMEOUT_MS = 45_000;

export type GitConnectionTest =
  | { ok: true; ref: string; commit: string; firstHostKeys: string[] }
  | { ok: false; ref: string; problem: GitProblem; hostKeyOffered: boolean };

export async function testGitConnection(ctx: TeamContext, serviceId: string): Promise<GitConnectionTest> {
  const s = await getService(ctx, serviceId);
  assertCanChange(ctx, s.environment);
  const row = await db.service.findUniqueOrThrow({
    where: { id: s.id },
    select: {
      source: true,
      gitUrl: true,
      gitBranch: true,
      gitHostKeys: true,
      host: { select: { id: true, name: true, status: true, tokenHash: true, allowPrivateNetworks: true } },
    },
  });
  if (row.source !== "git" || !row.gitUrl || !row.gitBranch) throw new ValidationError(`${s.name} is not built from git.`);
  if (!row.host) throw new ValidationError("Choose a host for this service first: the test runs there.");
  if (row.host.status !== "ONLINE") throw new ValidationError(`${row.host.name} is offline: its agent has not reported for a while.`);

  const nonce = randomUUID();
  const key = gitCheckKey(appEnv.queuePrefix, row.host.id, nonce);
  const spec = gitCheckSpec.parse({
    serviceId: s.id,
    url: row.gitUrl,
    ref: row.gitBranch,
    auth: await openGitCredential(db, s.id),
    hostKeys: row.gitHostKeys,
    allowPrivateNetworks: row.host.allowPrivateNetworks,
  });
  const redis = adminRedis();
  await redis.set(key, sealForHost(row.host.tokenHash, key, spec), "EX", SPEC_TTL_SECONDS);
  let result: GitCheckResult;
  try {
    result = await callHost(row.host.id, gitCheckJob, { serviceId: s.id, nonce }, ANSWER_TIMEOUT_MS);
  } finally {
    await redis.del(key).catch(() => 0);
  }

  const label = `${s.environment.project.name}/${s.environment.name}/${s.name}`;
  await db.$transaction(async (tx) => {
    if (!result.ok && result.hostKeyOffer) await recordReportedHostKeys(tx, s.id, { hostKeyOffer: result.hostKeyOffer });
    await recordAudit(tx, ctx.actor, {
      teamId: ctx.team.id,
      action: "service.git-connection.test",
      target: { type: "service", id: s.id, label },
      data: result.ok ? { ok: true, commit: result.commit } : { ok: false, problem: result.problem.kind },
    });
  });
  return result.ok
    ? { ok: true, ref: row.gitBranch, commit: result.commit, firstHostKeys: hostKeyFingerprints(result.hostKeys).map((k) => `${k.type} ${k.fingerprint}`) }
    : { ok: false, ref: row.gitBranch, problem: result.problem, hostKeyOffered: Boolean(result.hostKeyOffer) };
}
