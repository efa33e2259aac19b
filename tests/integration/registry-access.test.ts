// Berth's registry tokens against a real docker-registry and real pushes and pulls through the Engine API: a host
// pushes only under its own id, pulls its team's releases, nothing of another team; unknown credentials get a
// 401; and the registry itself checks the token's signature.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Dockerode from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHost } from "@/lib/data/hosts";
import { releaseRepository } from "@/lib/deploy/names";
import { deleteManifest, garbageCollect } from "@/lib/registry/client";
import { registryToken } from "@/lib/registry/token";
import { type BerthRegistry, startBerthRegistry } from "../support/berth-registry";
import { ensureFixtureImage, FIXTURE_IMAGE } from "../support/fixture-image";
import { makeTeam } from "./support/factory";

const docker = new Dockerode();
let registry: BerthRegistry;
const refs: string[] = [];

type Login = { username: string; password: string };
const loginOf = (host: { id: string; agentUrl: string }): Login => ({
  username: `host-${host.id}`,
  password: decodeURIComponent(new URL(host.agentUrl).password),
});

async function follow(stream: NodeJS.ReadableStream) {
  const events = await new Promise<{ error?: string }[]>((resolve, reject) =>
    docker.modem.followProgress(stream, (err: Error | null, res: { error?: string }[]) => (err ? reject(err) : resolve(res))),
  );
  const failed = events.find((e) => e.error);
  if (failed) throw new Error(failed.error);
}

/** Every blob file the registry stores. */
function blobs(): string[] {
  const dir = path.join(path.dirname(registry.config), "data", "docker", "registry", "v2", "blobs");
  return fs.existsSync(dir) ? (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith("/data")) : [];
}

/** Tags the fixture image as `<registry>/<repo>:1` and pushes it with `login`. */
async function push(repo: string, login: Login) {
  const ref = `${registry.address}/${repo}:1`;
  refs.push(ref);
  await docker.getImage(FIXTURE_IMAGE).tag({ repo: `${registry.address}/${repo}`, tag: "1" });
  await follow((await docker.getImage(ref).push({ authconfig: { ...login, serveraddress: registry.address } })) as NodeJS.ReadableStream);
}

/** Pulls `<registry>/<repo>:1` with `login`, after removing the local tag so the registry is asked. */
async function pull(repo: string, login: Login) {
  const ref = `${registry.address}/${repo}:1`;
  await docker
    .getImage(ref)
    .remove()
    .catch(() => {});
  await follow(await docker.pull(ref, { authconfig: { ...login, serveraddress: registry.address } }));
}

beforeAll(async () => {
  await ensureFixtureImage(docker);
  registry = await startBerthRegistry();
}, 60_000);

afterAll(async () => {
  for (const ref of refs)
    await docker
      .getImage(ref)
      .remove()
      .catch(() => {});
  await registry?.stop();
});

describe("Berth's registry", () => {
  let team1: Awaited<ReturnType<typeof makeTeam>>;
  let a1: Login;
  let a2: Login;
  let b1: Login;
  let repoA1: string;
  let repoA2: string;
  let repoB1: string;

  beforeAll(async () => {
    team1 = await makeTeam();
    const team2 = await makeTeam();
    const [h1, h2, h3] = [await createHost(team1, { name: "a1" }), await createHost(team1, { name: "a2" }), await createHost(team2, { name: "b1" })];
    [a1, a2, b1] = [loginOf(h1), loginOf(h2), loginOf(h3)];
    repoA1 = releaseRepository(team1.team.id, h1.id, "svc1");
    repoA2 = releaseRepository(team1.team.id, h2.id, "svc2");
    repoB1 = releaseRepository(team2.team.id, h3.id, "svc3");
  });

  it("a host pushes under its own id and pulls another host's release of its team", async () => {
    await push(repoA1, a1);
    await push(repoA2, a2);
    await pull(repoA2, a1);
    expect((await docker.getImage(`${registry.address}/${repoA2}:1`).inspect()).Id).toBe((await docker.getImage(FIXTURE_IMAGE).inspect()).Id);
  });

  it("a host cannot push under another host's id", async () => {
    await expect(push(`${repoA2.split("/").slice(0, 2).join("/")}/intruder`, a1)).rejects.toThrow(/denied|unauthorized|authentication required|insufficient/i);
  });

  it("a host cannot pull another team's release", async () => {
    await push(repoB1, b1);
    await expect(pull(repoB1, a1)).rejects.toThrow(/denied|unauthorized|authentication required|not found|insufficient/i);
  });

  it("unknown credentials get a 401 and no push", async () => {
    const scope = `repository:${repoA1}:pull,push`;
    const basic = (l: Login) => `Basic ${Buffer.from(`${l.username}:${l.password}`).toString("base64")}`;
    const ask = (auth?: string) =>
      fetch(`${registry.realm}?service=berth-registry&scope=${encodeURIComponent(scope)}`, { headers: auth ? { authorization: auth } : {} });
    expect((await ask(basic({ ...a1, password: "wrong" }))).status).toBe(401);
    expect((await ask()).status).toBe(401);
    expect((await ask(basic({ username: "host-nosuchhost00", password: a1.password }))).status).toBe(401);
    const granted = await ask(basic(a1));
    expect(granted.status).toBe(200);
    const body = (await granted.json()) as { token: string; access_token: string; expires_in: number };
    expect(body.access_token).toBe(body.token);
    const claims = JSON.parse(Buffer.from(body.token.split(".")[1]!, "base64url").toString());
    expect(claims).toMatchObject({
      iss: "berth",
      aud: "berth-registry",
      sub: a1.username,
      access: [{ type: "repository", name: repoA1, actions: ["pull", "push"] }],
    });
    await expect(push(`${repoA1}-again`, { ...a1, password: "wrong" })).rejects.toThrow(/denied|unauthorized|authentication required|401/i);
  });

  it("the registry checks the token's signature", async () => {
    const list = (token: string) => fetch(`https://${registry.address}/v2/${repoA1}/tags/list`, { headers: { authorization: `Bearer ${token}` } });
    const access = [{ type: "repository" as const, name: repoA1, actions: ["pull" as const] }];
    expect((await list(registryToken(access).token)).status).toBe(200);
    // The same claims signed by a key the registry does not trust.
    const forged = fs.mkdtempSync(path.join(os.tmpdir(), "berth-forged-"));
    try {
      execFileSync("openssl", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", path.join(forged, "registry-token.key")]);
      execFileSync("openssl", [
        "req",
        "-x509",
        "-new",
        "-key",
        path.join(forged, "registry-token.key"),
        "-subj",
        "/CN=forged",
        "-days",
        "1",
        "-out",
        path.join(forged, "registry-token.crt"),
      ]);
      process.env.BERTH_TLS_DIR = forged;
      const token = registryToken(access).token;
      delete process.env.BERTH_TLS_DIR;
      expect((await list(token)).status).toBe(401);
    } finally {
      delete process.env.BERTH_TLS_DIR;
      fs.rmSync(forged, { recursive: true, force: true });
    }
  });

  it("deleting a release's manifest and collecting garbage reclaims the blobs only it had", async () => {
    const before = blobs().length;
    // An image of its own (one more layer than the fixture), under a1's repository.
    const ctx = fs.mkdtempSync(path.join(os.tmpdir(), "berth-gc-"));
    const ref = `${registry.address}/${repoA1}-gc:1`;
    refs.push(ref);
    try {
      fs.writeFileSync(path.join(ctx, "Dockerfile"), `FROM ${FIXTURE_IMAGE}\nRUN echo ${Date.now()} > /unique\n`);
      await follow(await docker.buildImage({ context: ctx, src: ["Dockerfile"] }, { t: ref, rm: true, forcerm: true }));
    } finally {
      fs.rmSync(ctx, { recursive: true, force: true });
    }
    await follow((await docker.getImage(ref).push({ authconfig: { ...a1, serveraddress: registry.address } })) as NodeJS.ReadableStream);
    const pushed = blobs().length;
    expect(pushed).toBeGreaterThan(before);

    const manifest = (token: string) =>
      fetch(`https://${registry.address}/v2/${repoA1}-gc/manifests/1`, {
        headers: { authorization: `Bearer ${token}`, accept: "application/vnd.docker.distribution.manifest.v2+json" },
      });
    const pullToken = registryToken([{ type: "repository", name: `${repoA1}-gc`, actions: ["pull"] }]).token;
    const digest = (await manifest(pullToken)).headers.get("docker-content-digest")!;
    expect(digest).toMatch(/^sha256:/);
    expect(await deleteManifest(`${repoA1}-gc`, digest, registry.address)).toBe(true);
    expect((await manifest(pullToken)).status).toBe(404);
    expect(await deleteManifest(`${repoA1}-gc`, digest, registry.address)).toBe(false);
    expect(blobs().length).toBe(pushed); // nothing freed yet
    await garbageCollect(registry.config);
    expect(blobs().length).toBe(before); // its layer and config went; the fixture's layer, still referenced, stayed
    await expect(pull(repoA1, a1)).resolves.toBeUndefined();
  });
});
