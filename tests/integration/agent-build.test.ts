// Clone and build on the agent side, against real git and the real Docker Engine: a bare repository with a
// Dockerfile on the locally built base image.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import Dockerode from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { imageRepository } from "@/lib/deploy/names";
import type { DeploymentSpec } from "@/lib/hosts/deployment-spec";
import { buildImage, BuildError } from "@/workers/agent/build/build-image";
import { cloneRepo } from "@/workers/agent/build/clone";
import { GitError, openRemote } from "@/workers/agent/build/git-remote";
import { resolveRef } from "@/workers/agent/build/ls-remote";
import { gitImage } from "@/workers/agent/deployment/git-image";
import { pruneReleaseTags } from "@/workers/agent/deployment/prune";
import { ensureFixtureImage, FIXTURE_IMAGE } from "../support/fixture-image";
import { HTTPD_DOCKERFILE, makeBareRepo } from "../support/git-repo";
import { BAD_REFS, BAD_URLS } from "../support/injection-corpus";

const docker = new Dockerode();
const repo = await makeBareRepo("berth-build-test-");
const tmp = repo.dir;
const bare = repo.bare;
const tags: string[] = [];
const commitFiles = (files: Record<string, string>, branch = "main") => repo.commit(files, `change on ${branch}`, branch);

beforeAll(async () => {
  await ensureFixtureImage(docker);
  await commitFiles({
    Dockerfile: HTTPD_DOCKERFILE,
    "site/index.html": "hello from git\n",
  });
  await commitFiles({ Dockerfile: `FROM ${FIXTURE_IMAGE}\nRUN echo about to fail && exit 3\n` }, "broken");
  await commitFiles({ Dockerfile: `FROM ${FIXTURE_IMAGE}\nRUN echo started-slow-step && sleep 60\n` }, "slow");
});

afterAll(async () => {
  for (const t of tags)
    await docker
      .getImage(t)
      .remove({ force: true })
      .catch(() => {});
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe("clone and build on the agent", () => {
  it("clones a branch with its commit details and builds an image from it", async () => {
    const dir = path.join(tmp, "checkout-ok");
    const commit = await cloneRepo({ url: `file://${bare}`, ref: "main", dir, allowLocal: true });
    expect(commit.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(commit.message).toBe("change on main");
    expect(commit.author).toBe("Test <test@example.test>");
    const tag = `berth-test-build:${Date.now()}`;
    tags.push(tag);
    const lines: string[] = [];
    const { imageId } = await buildImage(docker, { checkout: dir, tag, labels: { "berth.built": "true" }, onLog: (l) => lines.push(l) });
    const image = await docker.getImage(imageId).inspect();
    expect(image.Config.Labels?.["berth.built"]).toBe("true");
    expect(lines.some((l) => l.includes("COPY site/"))).toBe(true);
  }, 60_000);

  it("fails a broken Dockerfile with its build log (Docker reports it inside a 200 response)", async () => {
    const dir = path.join(tmp, "checkout-broken");
    await cloneRepo({ url: `file://${bare}`, ref: "broken", dir, allowLocal: true });
    const err = await buildImage(docker, { checkout: dir, tag: `berth-test-build:broken-${Date.now()}`, labels: {} }).catch((e) => e);
    expect(err).toBeInstanceOf(BuildError);
    expect(err.message).toMatch(/returned a non-zero code: 3/);
    expect((err as BuildError).log.join("\n")).toContain("about to fail");
  }, 60_000);

  it("refuses injection attempts before running git, and production refuses local URLs", async () => {
    const dir = path.join(tmp, "never");
    for (const url of [...BAD_URLS, `file://${bare}`]) {
      await expect(cloneRepo({ url, ref: "main", dir })).rejects.toThrow(/Refused repository URL/);
    }
    for (const ref of BAD_REFS) {
      await expect(cloneRepo({ url: `file://${bare}`, ref, dir, allowLocal: true })).rejects.toThrow(/Refused branch/);
    }
    expect(fs.existsSync(dir)).toBe(false);
    expect(fs.existsSync("/tmp/pwned")).toBe(false);
  });

  it("stops a build when cancelled mid-way, leaving no image and no container behind", async () => {
    const dir = path.join(tmp, "checkout-slow");
    await cloneRepo({ url: `file://${bare}`, ref: "slow", dir, allowLocal: true });
    const tag = `berth-test-build:slow-${Date.now()}`;
    const ctrl = new AbortController();
    const started = Date.now();
    const build = buildImage(docker, {
      checkout: dir,
      tag,
      labels: {},
      signal: ctrl.signal,
      onLog: (l) => l.includes("started-slow-step") && ctrl.abort(),
    }).catch((e) => e);
    const err = await build;
    expect(err).toBeInstanceOf(BuildError);
    expect(err.message).toBe("cancelled");
    expect(Date.now() - started).toBeLessThan(30_000);
    await expect(docker.getImage(tag).inspect()).rejects.toMatchObject({ statusCode: 404 });
    // The builder's intermediate container goes away once Docker notices the client left.
    let leftover = 1;
    for (let i = 0; i < 50 && leftover > 0; i++) {
      leftover = (await docker.listContainers({ all: true })).filter((c) => c.Command.includes("started-slow-step")).length;
      if (leftover) await new Promise((r) => setTimeout(r, 200));
    }
    expect(leftover).toBe(0);
  }, 60_000);

  it("stops a clone when cancelled", async () => {
    const ctrl = new AbortController();
    ctrl.abort();
    await expect(cloneRepo({ url: `file://${bare}`, ref: "main", dir: path.join(tmp, "cancelled"), allowLocal: true, signal: ctrl.signal })).rejects.toThrow(
      /cancelled/,
    );
  });

  it("checks out exactly the commit asked for, not the branch's tip", async () => {
    const first = await commitFiles({ "site/index.html": "first\n" });
    const tip = await commitFiles({ "site/index.html": "second\n" });
    const dir = path.join(tmp, "checkout-exact");
    const got = await cloneRepo({ url: `file://${bare}`, ref: "main", commit: first, dir, allowLocal: true });
    expect(got.commit).toBe(first);
    expect(fs.readFileSync(path.join(dir, "site/index.html"), "utf8")).toBe("first\n");
    // Without a commit: the tip.
    const latest = await cloneRepo({ url: `file://${bare}`, ref: "main", dir: path.join(tmp, "checkout-tip"), allowLocal: true });
    expect(latest.commit).toBe(tip);
  });

  it("explains a commit or branch the server does not have", async () => {
    const gone = "0123456789abcdef0123456789abcdef01234567";
    const err = await cloneRepo({ url: `file://${bare}`, ref: "main", commit: gone, dir: path.join(tmp, "checkout-gone"), allowLocal: true }).catch((e) => e);
    expect(err).toBeInstanceOf(GitError);
    expect((err as GitError).problem.kind).toBe("commit-not-found");
    expect(err.message).toMatch(/^git clone failed: the commit 0123456789ab is not on the git server\.\n.*\nHint: /s);
    const missing = await cloneRepo({ url: `file://${bare}`, ref: "no-such-branch", dir: path.join(tmp, "checkout-nobranch"), allowLocal: true }).catch(
      (e) => e,
    );
    expect((missing as GitError).problem.kind).toBe("branch-not-found");
    expect(missing.message).toMatch(/the repository has no branch "no-such-branch"/);
  });

  it("resolves a branch or a tag with ls-remote", async () => {
    const tip = await commitFiles({ "site/index.html": "tagged\n" }, "tags");
    const work = fs.mkdtempSync(path.join(tmp, "tagger-"));
    const git = (...args: string[]) => execFileSync("git", args, { cwd: work, encoding: "utf8" });
    git("clone", "--quiet", "--branch", "tags", "--", bare, ".");
    git("-c", "user.name=T", "-c", "user.email=t@example.test", "tag", "-a", "v1", "-m", "release v1");
    git("push", "--quiet", "origin", "v1");
    const remote = await openRemote({ url: `file://${bare}`, allowLocal: true });
    expect(await resolveRef(remote, "tags", { what: "" })).toBe(tip);
    expect(await resolveRef(remote, "v1", { what: "" })).toBe(tip); // the commit, not the annotated tag object
    const err = await resolveRef(remote, "nope", { what: "git ls-remote failed: " }).catch((e) => e);
    expect((err as GitError).problem.kind).toBe("branch-not-found");
  });

  it("reuses an image this host built from the same commit and build settings, skipping clone and build", async () => {
    const serviceId = `reuse${Date.now().toString(36)}`;
    const sha = await commitFiles(
      { Dockerfile: HTTPD_DOCKERFILE, "Dockerfile.other": HTTPD_DOCKERFILE.replace("\n", "\nENV VARIANT=other\n"), "site/index.html": "reuse me\n" },
      "reuse",
    );
    const reports: { status: string; extra?: Record<string, unknown> }[] = [];
    const lines: string[] = [];
    const deps = {
      docker,
      proxy: { setRoute: async () => {}, listRoutes: async () => [] },
      log: { line: (l: string) => lines.push(l), flush: async () => {}, tail: () => [] },
      report: async (status: string, extra?: Record<string, unknown>) => void reports.push({ status, extra }),
      allowLocalGit: true,
      hostId: "test",
    };
    const spec = (n: number, source: Partial<Extract<DeploymentSpec["source"], { kind: "git" }>> = {}) =>
      ({
        serviceId,
        imageTag: `${imageRepository(serviceId)}:${n}`,
        allowPrivateNetworks: false,
        source: {
          kind: "git",
          url: `file://${bare}`,
          ref: "reuse",
          commit: null,
          subdirectory: "",
          dockerfile: "Dockerfile",
          auth: { kind: "none" },
          hostKeys: null,
          ...source,
        },
      }) as unknown as DeploymentSpec;
    const run = (s: DeploymentSpec) => gitImage(s, s.source as Extract<DeploymentSpec["source"], { kind: "git" }>, new AbortController().signal, deps as never);
    tags.push(`${imageRepository(serviceId)}:1`, `${imageRepository(serviceId)}:2`, `${imageRepository(serviceId)}:3`, `${imageRepository(serviceId)}:4`);

    const built = await run(spec(1));
    expect(reports.map((r) => r.status)).toEqual(["CLONING", "BUILDING"]);
    expect(built.buildTag).toMatch(new RegExp(`^${imageRepository(serviceId)}:${sha}-[0-9a-f]{12}$`));
    tags.push(built.buildTag!);
    expect(lines.some((l) => l.startsWith("$ git ls-remote"))).toBe(true);

    // A manual redeploy of the same tip, and a push of the same commit: nothing cloned or built.
    reports.length = 0;
    lines.length = 0;
    const again = await run(spec(2));
    expect(reports).toEqual([]);
    // The clone that ran beside the ls-remote was stopped, and its output never reached the log.
    expect(lines.filter((l) => /git clone|Cloning into/.test(l))).toEqual([]);
    expect(lines.some((l) => l.startsWith("This host built"))).toBe(true);
    expect(again).toEqual({ imageId: built.imageId, buildTag: null, report: { commit: { sha, message: "", author: "" } } });
    expect((await docker.getImage(`${imageRepository(serviceId)}:2`).inspect()).Id).toBe(built.imageId);
    const pushed = await run(spec(3, { commit: sha }));
    expect(pushed.imageId).toBe(built.imageId);
    expect(reports).toEqual([]);

    // Other build settings: built again, under another build tag.
    const other = await run(spec(4, { dockerfile: "Dockerfile.other" }));
    expect(reports.map((r) => r.status)).toEqual(["CLONING", "BUILDING"]);
    expect(other.buildTag).not.toBe(built.buildTag);
    expect(other.imageId).not.toBe(built.imageId);
    tags.push(other.buildTag!);

    // Pruning the releases of the first image takes its build tag, and so the image, with them.
    await pruneReleaseTags(
      docker,
      [1, 2, 3].map((n) => `${imageRepository(serviceId)}:${n}`),
    );
    await expect(docker.getImage(built.buildTag!).inspect()).rejects.toMatchObject({ statusCode: 404 });
    await expect(docker.getImage(built.imageId).inspect()).rejects.toMatchObject({ statusCode: 404 });
    expect((await docker.getImage(other.buildTag!).inspect()).Id).toBe(other.imageId);
  }, 120_000);
});
