// The image of a git service's deployment: exactly the commit it records, built here once. The commit is the
// pushed one (a webhook, fetched by id), or for the Deploy button the branch's tip, found by `git ls-remote`
// and then cloned (the deployment records the commit the clone got, should the branch move meanwhile). When this host built that commit with the same build settings before (image-cache.ts), the
// image is reused and nothing is cloned or built: the deployment goes from QUEUED straight to STARTING.
// Otherwise: CLONING (a shallow fetch of that commit) → BUILDING → the release tag plus the build tag.
// SSH host keys: checked against the pinned ones, or, with none pinned yet, the key met on the first success
// is reported with the next step for the control plane to pin.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { DeploymentSpec } from "@/lib/hosts/deployment-spec";
import type { DeploymentReport } from "@/lib/hosts/protocol";
import { buildImage } from "../build/build-image";
import { cloneRepo, type CloneResult } from "../build/clone";
import { gitAuthEnv, type GitAuthEnv } from "../build/git-auth";
import { openRemote } from "../build/git-remote";
import { buildCacheTag, buildSettingsHash, findBuiltImage, tagImage } from "../build/image-cache";
import { resolveRef } from "../build/ls-remote";
import type { PipelineDeps } from "./pipeline";

export const BUILD_DIR_PREFIX = "berth-build-";

type GitSource = Extract<DeploymentSpec["source"], { kind: "git" }>;
type ReportExtra = Omit<DeploymentReport, "type" | "at" | "deploymentId" | "status">;

export type GitImage = {
  imageId: string;
  /** The build tag this deployment made (a failed deployment removes it); null when it reused an image. */
  buildTag: string | null;
  /** What the STARTING report carries: the commit and host keys not reported yet (a reused image's). */
  report: ReportExtra;
};

/** The host keys to pin, once ssh met them with none pinned. */
async function metHostKeys(auth: GitAuthEnv): Promise<Pick<ReportExtra, "hostKeys">> {
  if (auth.pinned) return {};
  const text = await auth.knownHosts();
  return text.trim() ? { hostKeys: text.slice(0, 16384) } : {};
}

export async function gitImage(spec: DeploymentSpec, git: GitSource, signal: AbortSignal, d: PipelineDeps): Promise<GitImage> {
  const workDir = await mkdtemp(path.join(tmpdir(), `${BUILD_DIR_PREFIX}${d.hostId}-`));
  try {
    const auth = await gitAuthEnv(git.auth.kind === "token" ? { kind: "token", token: git.auth.token } : git.auth, workDir, { hostKeys: git.hostKeys });
    let commit: CloneResult | null = null;
    try {
      const remote = {
        url: git.url,
        allowLocal: d.allowLocalGit,
        allowPrivateNetworks: spec.allowPrivateNetworks,
        extraEnv: auth.env,
        access: git.auth.kind,
        pinnedHostKeys: auth.pinned,
        signal,
      };
      const settings = buildSettingsHash(git);

      // A push's commit exactly; for the Deploy button the branch as it is now (one clone), which it records.
      // The clone starts at once; for the Deploy button it runs beside the ls-remote that tells whether this
      // host built the branch's tip already (then it is stopped), so that check costs a build no time.
      const checkout = path.join(workDir, "src");
      const stopClone = new AbortController();
      const stop = () => stopClone.abort();
      signal.addEventListener("abort", stop, { once: true });
      let cloning: Promise<CloneResult> | null = null;
      // The clone's output waits until it is known to be needed (a reused image's log shows no clone).
      let held: string[] | null = [];
      const startClone = () => {
        cloning = cloneRepo({
          ...remote,
          signal: stopClone.signal,
          ref: git.ref,
          commit: git.commit,
          dir: checkout,
          onOutput: (l) => (held ? held.push(l) : d.log.line(l)),
        });
        cloning.catch(() => {}); // awaited below; never an unhandled rejection meanwhile
        return cloning;
      };
      try {
        let wanted = git.commit;
        if (!wanted) {
          startClone();
          d.log.line(`$ git ls-remote -- ${git.url} ${git.ref}`);
          try {
            wanted = await resolveRef(await openRemote(remote), git.ref, { what: "git ls-remote failed: " });
          } catch (e) {
            await d.report("CLONING"); // the failed step is the clone's, whatever asked the server first
            throw e;
          }
          d.log.line(`${git.ref} is at ${wanted}`);
        }
        const reuse = await findBuiltImage(d.docker, buildCacheTag(spec.serviceId, wanted, settings));
        if (reuse) {
          d.log.line(
            `This host built ${wanted.slice(0, 12)} with the same Dockerfile and sub-directory before: reusing image ${reuse.slice(7, 19)}, nothing to clone or build`,
          );
          await tagImage(d.docker, reuse, spec.imageTag);
          return { imageId: reuse, buildTag: null, report: { commit: { sha: wanted, message: "", author: "" }, ...(await metHostKeys(auth)) } };
        }
        await d.report("CLONING");
        d.log.line(git.commit ? `$ git fetch --depth 1 -- ${git.url} ${git.commit}` : `$ git clone --depth 1 --branch ${git.ref} -- ${git.url}`);
        for (const l of held) d.log.line(l);
        held = null;
        commit = await (cloning ?? startClone());
      } finally {
        signal.removeEventListener("abort", stop);
        if (!commit) {
          stopClone.abort(); // reused, or failed: the clone (if any) stops before its directory goes
          await (cloning as Promise<CloneResult> | null)?.catch(() => {});
        }
      }
      d.log.line(`commit ${commit.commit}: ${commit.message} (${commit.author})`);
      if (signal.aborted) throw new Error("cancelled");
      await d.report("BUILDING", {
        commit: { sha: commit.commit, message: commit.message.slice(0, 2000), author: commit.author.slice(0, 500) },
        ...(await metHostKeys(auth)),
      });
      await auth.cleanup(); // the key is not needed for the build

      d.log.line(`$ docker build -f ${git.dockerfile} -t ${spec.imageTag} ${git.subdirectory || "."}`);
      const built = await buildImage(d.docker, {
        checkout,
        subdirectory: git.subdirectory,
        dockerfile: git.dockerfile,
        tag: spec.imageTag,
        // No build labels: Docker's classic builder adds them as a final step that is never cached (about
        // 150 ms a build). Tags mark the image as Berth's: the release's, and the build tag found again by a
        // redeploy of this commit.
        signal,
        onLog: d.log.line,
      });
      const buildTag = buildCacheTag(spec.serviceId, commit.commit, settings);
      await tagImage(d.docker, built.imageId, buildTag);
      return { imageId: built.imageId, buildTag, report: {} };
    } finally {
      await auth.cleanup();
    }
  } finally {
    await rm(workDir, { recursive: true, force: true }).catch(() => {});
  }
}
