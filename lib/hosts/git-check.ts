// "Test connection" for a git service: what its host's agent is told (the repository, branch, credential and
// pinned host keys, sealed for that host only under its own Redis keys, like a deployment's spec) and what it
// answers (sealed to the caller like every host job's result). The agent runs `git ls-remote` exactly as a
// clone would reach the repository.
import { z } from "zod";
import type { GitProblem } from "@/lib/git/explain";
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

export type GitCheckResult =
  /** `hostKeys`: the keys ssh met when none were pinned (they are pinned by the first deployment's clone). */
  | { ok: true; commit: string; hostKeys: string | null }
  /** `hostKeyOffer`: the keys the server offers instead of the pinned ones. */
  | { ok: false; problem: GitProblem; hostKeyOffer: string | null };
