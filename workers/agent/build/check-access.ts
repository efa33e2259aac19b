// "Test connection": `git ls-remote` of the service's branch with its credential and pinned host keys, from
// this host, exactly as a deployment's clone reaches the repository (git-remote.ts). Success names the
// branch's commit; a failure comes back explained, with the keys a server offers instead of the pinned ones.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { gitProblem } from "@/lib/git/explain";
import type { GitCheckResult, GitCheckSpec } from "@/lib/hosts/git-check";
import { BUILD_DIR_PREFIX } from "../deployment/git-image";
import { gitAuthEnv } from "./git-auth";
import { GitError, openRemote } from "./git-remote";
import { resolveRef } from "./ls-remote";

export async function checkGitAccess(spec: GitCheckSpec, opts: { hostId: string; allowLocal: boolean; signal?: AbortSignal }): Promise<GitCheckResult> {
  // Under the build directories' prefix, so an agent killed meanwhile clears it on its next start.
  const workDir = await mkdtemp(path.join(tmpdir(), `${BUILD_DIR_PREFIX}${opts.hostId}-`));
  try {
    const auth = await gitAuthEnv(spec.auth, workDir, { hostKeys: spec.hostKeys });
    try {
      const remote = await openRemote({
        url: spec.url,
        allowLocal: opts.allowLocal,
        allowPrivateNetworks: spec.allowPrivateNetworks,
        extraEnv: auth.env,
        access: spec.auth.kind,
        pinnedHostKeys: auth.pinned,
        signal: opts.signal,
      });
      const commit = await resolveRef(remote, spec.ref, { what: "" });
      const seen = auth.pinned ? "" : await auth.knownHosts();
      return { ok: true, commit, hostKeys: seen.trim() ? seen : null };
    } finally {
      await auth.cleanup();
    }
  } catch (e) {
    if (e instanceof GitError) return { ok: false, problem: e.problem, hostKeyOffer: e.hostKeyOffer };
    // Refused before git ran (the outbound address policy, an invalid URL): its own words say why.
    return { ok: false, problem: gitProblem("unknown", { access: spec.auth.kind }, (e as Error).message), hostKeyOffer: null };
  } finally {
    await rm(workDir, { recursive: true, force: true }).catch(() => {});
  }
}
