// Clone and build on the agent side, against real git and the real Docker Engine: a bare repository with a
// Dockerfile on the locally built base image.
import fs from "node:fs";
import path from "node:path";
import Dockerode from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildImage, BuildError } from "@/workers/agent/build/build-image";
import { cloneRepo } from "@/workers/agent/build/clone";
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
  for (const t of tags) await docker.getImage(t).remove({ force: true }).catch(() => {});
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
    await expect(cloneRepo({ url: `file://${bare}`, ref: "main", dir: path.join(tmp, "cancelled"), allowLocal: true, signal: ctrl.signal })).rejects.toThrow(/cancelled/);
  });
});
