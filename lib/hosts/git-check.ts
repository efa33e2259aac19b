// "Test connection" for a git service: what its host's agent is told (the repository, branch, credential and
// pinned host keys, sealed for that host only under its own Redis keys, like a deployment's spec) and what it
// answers (sealed to the caller like every host job's result). The agent runs `git ls-remote` exactly as a
// clone would reach the repository.
import { z } from "zod";
import { GIT_PROBLEM_KINDS } from "@/lib/git/explain";
import { gitAuthSpec } from "./deployment-spec";

export const gitCheckSpec = z.object({
  serviceId: z.string().min(1).max(64),
  url: z.string().max(2048),
  ref: z.string().max(255),
  auth: gitAuthSpec,
  hostKeys: z.string().max(16384).nullable(),
  allowPrivateNetworks: z.boolean(),
});
export type GitCheckSpec = z.infer<typeof gitCheckSpec>;

export function gitCheckKey(prefix: string, hostId: string, nonce: string) {
  return `${prefix}:host-${hostId}:git-check:${nonce}`;
}

export const gitProblem = z.object({ kind: z.enum(GIT_PROBLEM_KINDS), title: z.string(), reason: z.string(), hint: z.string().nullable() });

export const gitCheckResult = z.discriminatedUnion("ok", [
  /** `hostKeys`: the keys ssh met when none were pinned (they are pinned by the first deployment's clone). */
  z.object({ ok: z.literal(true), commit: z.string().regex(/^[0-9a-f]{40,64}$/), hostKeys: z.string().nullable() }),
  /** `hostKeyOffer`: the keys the server offers instead of the pinned ones. */
  z.object({ ok: z.literal(false), problem: gitProblem, hostKeyOffer: z.string().nullable() }),
]);
export type GitCheckResult = z.infer<typeof gitCheckResult>;
