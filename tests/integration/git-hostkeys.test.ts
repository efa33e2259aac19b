// Deploy keys and SSH host keys against a real OpenSSH server (tests/support/ssh-server.ts), through the real
// host agent, control worker, Docker Engine and Caddy: the usual scp-like address of a plain server
// (root@host:dir/app.git, a path relative to the login's directory) deploys; a missing deploy key fails
// explained, in the deployment and in "Test connection"; the first successful clone pins the server's host
// key; a server with a new host key is refused, with the key it offers recorded; an admin's acceptance
// (audited) makes it deploy again. A redeploy of a commit built before reuses its image.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Dockerode from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import type { TeamContext } from "@/lib/data/context";
import { deployFromGit, getDeployment } from "@/lib/data/deployments";
import { testGitConnection } from "@/lib/data/git-connection";
import { acceptGitHostKey } from "@/lib/data/git-host-keys";
import { createGitService, gitServiceView, openGitCredential, updateGitService } from "@/lib/data/git-services";
import { createHost, updateHostDeploySettings } from "@/lib/data/hosts";
import { createProject } from "@/lib/data/projects";
import { routeId } from "@/lib/deploy/names";
import { ForbiddenError, NotFoundError, ValidationError } from "@/lib/errors";
import { closeHostCalls } from "@/lib/hosts/call-host";
import { closeQueues } from "@/lib/jobs/enqueue";
import { closeAdminRedis } from "@/lib/redis/admin";
import { parseAgentUrl } from "@/workers/agent/config";
import { createProxy } from "@/workers/agent/proxy/caddy";
import { startAgent } from "@/workers/agent/start";
import { cloneRepo } from "@/workers/agent/build/clone";
import { gitAuthEnv } from "@/workers/agent/build/git-auth";
import { GitError } from "@/workers/agent/build/git-remote";
import { startControlWorker } from "@/workers/control/start";
import { ensureFixtureImage } from "../support/fixture-image";
import { HTTPD_DOCKERFILE, makeBareRepo } from "../support/git-repo";
import { proxyGet } from "../support/proxy-http";
import { startSshServer, type SshServer } from "../support/ssh-server";
import { addMember, makeTeam, uniq } from "./support/factory";
import { waitFor } from "./support/wait";

const docker = new Dockerode();
let ctx: TeamContext;
let hostId: string;
let agent: Awaited<ReturnType<typeof startAgent>>;
let control: ReturnType<typeof startControlWorker>;
let repo: Awaited<ReturnType<typeof makeBareRepo>>;
let ssh: SshServer;
let projectSlug: string;
let serviceId: string;
let hostname: string;
let publicKey: string;

const settle = (id: string) =>
  waitFor(
    () => db.deployment.findUniqueOrThrow({ where: { id } }),
    (d) => ["LIVE", "FAILED", "CANCELLED"].includes(d.status),
    90_000,
    100,
  );
const steps = (d: { steps: unknown }) => (d.steps as { status: string }[]).map((s) => s.status);
const service = () => db.service.findUniqueOrThrow({ where: { id: serviceId }, select: { gitHostKeys: true, gitHostKeyOffer: true } });

beforeAll(async () => {
  await ensureFixtureImage(docker);
  repo = await makeBareRepo("berth-ssh-repo-");
  await repo.commit({ Dockerfile: HTTPD_DOCKERFILE, "site/index.html": "over ssh\n" }, "first over ssh");
  ssh = await startSshServer(os.tmpdir());
  ctx = await makeTeam();
  const host = await createHost(ctx, { name: "ssh-host" });
  hostId = host.id;
  // The test server is on a loopback address: a private network, which this host's admin allows.
  await updateHostDeploySettings(ctx, hostId, { baseDomain: "localhost", buildConcurrency: "2", allowPrivateNetworks: "on" });
  control = startControlWorker();
  agent = await startAgent(parseAgentUrl(host.agentUrl), { log: () => {}, heartbeatMs: 500 });
  await waitFor(
    () => db.host.findUniqueOrThrow({ where: { id: hostId } }),
    (h) => h.status === "ONLINE",
  );
  projectSlug = (await createProject(ctx, { name: uniq("sshapp") })).slug;
  const s = await createGitService(ctx, projectSlug, "staging", {
    name: "web",
    gitUrl: ssh.url(repo.bare),
    gitBranch: "main",
    gitAuth: "ssh",
    httpPort: "8080",
    healthPath: "/",
    healthTimeoutSec: "10",
    hostId,
  });
  serviceId = s.id;
  hostname = `web.staging.${projectSlug}.localhost`;
  publicKey = (await db.service.findUniqueOrThrow({ where: { id: serviceId } })).gitPublicKey!;
}, 90_000);

afterAll(async () => {
  await agent?.stop();
  await control?.close();
  for (const c of await docker.listContainers({ all: true, filters: { label: [`berth.host.id=${hostId}`] } }))
    await docker
      .getContainer(c.Id)
      .remove({ force: true })
      .catch(() => {});
  await docker
    .getNetwork(`berth-${projectSlug}-staging`)
    .remove()
    .catch(() => {});
  for (const img of await docker.listImages()) {
    for (const tag of img.RepoTags ?? [])
      if (tag.startsWith(`berth-${serviceId}:`))
        await docker
          .getImage(tag)
          .remove()
          .catch(() => {});
  }
  await createProxy()
    .removeRoute(routeId(serviceId))
    .catch(() => {});
  await closeHostCalls();
  await closeQueues();
  await closeAdminRedis();
  await ssh?.stop();
  repo?.remove();
});

describe("git over ssh, with host keys pinned", () => {
  it("keeps the scp-like address relative, as the user wrote it", async () => {
    const view = await gitServiceView(ctx, projectSlug, "staging", "web");
    expect(view.gitUrl).toMatch(new RegExp(`^root@${ssh.address.replace(/\./g, "\\.")}:berth-ssh-repo-[^/]+/app\\.git$`));
  });

  it("explains a deploy key that was not added, in the deployment and in Test connection", async () => {
    const test = await testGitConnection(ctx, serviceId);
    expect(test.ok).toBe(false);
    if (test.ok) return;
    expect(test.problem.kind).toBe("deploy-key-refused");
    expect(test.problem.reason).toMatch(/Permission denied \(publickey\)/);
    expect(test.problem.hint).toMatch(/deploy key/);

    const d = await settle((await deployFromGit(ctx, serviceId)).id);
    expect(d.status).toBe("FAILED");
    expect(steps(d)).toEqual(["QUEUED", "CLONING", "FAILED"]);
    const [title, reason, hint] = d.error!.split("\n");
    expect(title).toBe("git ls-remote failed: the git server refused the deploy key.");
    expect(reason).toMatch(/^root@127\.[\d.]+: Permission denied \(publickey\)\.$/);
    expect(hint).toMatch(/^Hint: Add this service's deploy key/);
    expect(d.error).not.toMatch(/correct access rights/);
    expect((await service()).gitHostKeys).toBeNull(); // nothing succeeded: nothing pinned
  }, 120_000);

  it("connects once the key is added; the first successful clone pins the server's host key", async () => {
    ssh.authorize(publicKey);
    const sha = (await repo.commit({ "site/index.html": "pinned\n" }, "pin me")).trim();
    const test = await testGitConnection(ctx, serviceId);
    expect(test).toEqual({ ok: true, ref: "main", commit: sha, firstHostKeys: [`ssh-ed25519 ${ssh.fingerprint()}`] });
    expect((await service()).gitHostKeys).toBeNull(); // a test does not pin

    const d = await settle((await deployFromGit(ctx, serviceId)).id);
    expect(d.error).toBeNull();
    expect(d.status).toBe("LIVE");
    expect(d.commitSha).toBe(sha);
    expect(await proxyGet(hostname)).toEqual({ status: 200, body: "pinned\n" });
    const pinned = await service();
    expect(pinned.gitHostKeys).toMatch(new RegExp(`^${ssh.address.replace(/\./g, "\\.")} ssh-ed25519 AAAA`));
    const view = await gitServiceView(ctx, projectSlug, "staging", "web");
    expect(view.hostKeys).toEqual([{ host: ssh.address, type: "ssh-ed25519", fingerprint: ssh.fingerprint() }]);
    expect(view.hostKeyOffer).toEqual([]);
  }, 120_000);

  it("redeploys a commit it built before without cloning or building", async () => {
    const first = await db.deployment.findFirstOrThrow({ where: { serviceId, status: "LIVE" }, orderBy: { number: "desc" } });
    const d = await settle((await deployFromGit(ctx, serviceId)).id);
    expect(d.status).toBe("LIVE");
    expect(steps(d)).toEqual(["QUEUED", "STARTING", "HEALTH_CHECK", "LIVE"]);
    expect(d.imageId).toBe(first.imageId);
    expect({ sha: d.commitSha, message: d.commitMessage, author: d.commitAuthor }).toEqual({
      sha: first.commitSha,
      message: "pin me",
      author: first.commitAuthor,
    });
    const view = await getDeployment(ctx, d.id);
    expect(view.timed.map((t) => t.status)).toEqual(["QUEUED", "STARTING", "HEALTH_CHECK"]);
  }, 120_000);

  it("refuses a server with another host key, explained, and records the key it offers", async () => {
    const pinned = (await service()).gitHostKeys;
    const old = ssh.fingerprint();
    await ssh.replaceHostKey();
    await repo.commit({ "site/index.html": "after the new key\n" }, "new key");

    const d = await settle((await deployFromGit(ctx, serviceId)).id);
    expect(d.status).toBe("FAILED");
    expect(steps(d)).toEqual(["QUEUED", "CLONING", "FAILED"]);
    expect(d.error).toMatch(/^git ls-remote failed: the git server's SSH host key changed\.\n/);
    expect(d.error).toContain(`The fingerprint for the ED25519 key sent by the remote host is ${ssh.fingerprint()}.`);
    expect(d.error).toMatch(/\nHint: .*an admin can accept the new key on the service page/);
    expect(await proxyGet(hostname)).toEqual({ status: 200, body: "pinned\n" }); // the release keeps serving

    const after = await service();
    expect(after.gitHostKeys).toBe(pinned);
    const view = await gitServiceView(ctx, projectSlug, "staging", "web");
    expect(view.hostKeys.map((k) => k.fingerprint)).toEqual([old]);
    expect(view.hostKeyOffer.map((k) => k.fingerprint)).toContain(ssh.fingerprint());

    const test = await testGitConnection(ctx, serviceId);
    expect(test.ok || test.problem.kind).toBe("host-key-changed");
  }, 120_000);

  it("lets only an admin accept the offered key, audited; then it deploys again", async () => {
    const offer = (await gitServiceView(ctx, projectSlug, "staging", "web")).hostKeyOffer.map((k) => k.fingerprint).join(" ");
    const developer = await addMember(ctx, "DEVELOPER");
    await expect(acceptGitHostKey(developer, serviceId, offer)).rejects.toBeInstanceOf(ForbiddenError);
    const stranger = await makeTeam();
    await expect(acceptGitHostKey(stranger, serviceId, offer)).rejects.toBeInstanceOf(NotFoundError);
    await expect(acceptGitHostKey(ctx, serviceId, "SHA256:not-what-the-page-showed")).rejects.toBeInstanceOf(ValidationError);
    expect((await service()).gitHostKeyOffer).not.toBeNull();

    await acceptGitHostKey(ctx, serviceId, offer);
    const accepted = await service();
    expect(accepted.gitHostKeyOffer).toBeNull();
    expect((await gitServiceView(ctx, projectSlug, "staging", "web")).hostKeys.map((k) => k.fingerprint)).toContain(ssh.fingerprint());
    const audit = await db.auditEvent.findFirstOrThrow({ where: { teamId: ctx.team.id, action: "service.git-host-key.accept" } });
    expect(audit.actorId).toBe(ctx.actor.id);
    expect((audit.data as { to: string }).to).toContain(ssh.fingerprint());
    await expect(acceptGitHostKey(ctx, serviceId, offer)).rejects.toThrow(/No other host key/);

    const d = await settle((await deployFromGit(ctx, serviceId)).id);
    expect(d.error).toBeNull();
    expect(d.status).toBe("LIVE");
    expect(await proxyGet(hostname)).toEqual({ status: 200, body: "after the new key\n" });
    expect((await testGitConnection(ctx, serviceId)).ok).toBe(true);
  }, 120_000);

  it("fetches a pushed commit exactly, also from a server that hands out no commits by id (protocol v0)", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "berth-ssh-clone-"));
    try {
      const older = await repo.commit({ "site/index.html": "older\n" }, "older");
      const tip = await repo.commit({ "site/index.html": "tip\n" }, "tip");
      const auth = { kind: "ssh" as const, privateKey: await openGitCredential(db, serviceId).then((c) => (c.kind === "ssh" ? c.privateKey : "")) };
      const clone = async (commit: string | null, name: string) => {
        const work = fs.mkdtempSync(path.join(dir, "w-"));
        const env = await gitAuthEnv(auth, work, { hostKeys: (await service()).gitHostKeys });
        try {
          return await cloneRepo({
            url: ssh.url(repo.bare),
            ref: "main",
            commit,
            dir: path.join(work, name),
            allowPrivateNetworks: true,
            extraEnv: env.env,
            access: "ssh",
            pinnedHostKeys: env.pinned,
          });
        } finally {
          await env.cleanup();
        }
      };
      expect((await clone(tip, "tip")).commit).toBe(tip);
      // The tip moved on since the push: refused, explained, never the wrong commit.
      const err = await clone(older, "older").catch((e) => e);
      expect(err).toBeInstanceOf(GitError);
      expect((err as GitError).problem.kind).toBe("commit-not-found");
      expect(err.message).toMatch(/does not hand out commits by id .* main is now at /);
      // The Deploy button takes the branch as it is (and records that).
      expect((await clone(null, "manual")).commit).toBe(tip);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it("forgets pinned keys when the repository moves to another server", async () => {
    expect((await service()).gitHostKeys).not.toBeNull();
    await updateGitService(ctx, serviceId, {
      gitUrl: ssh.url(repo.bare),
      gitBranch: "main",
      gitAuth: "ssh",
      httpPort: "8080",
      healthPath: "/",
      healthTimeoutSec: "10",
      hostId,
    });
    expect((await service()).gitHostKeys).not.toBeNull(); // same server: kept
    await updateGitService(ctx, serviceId, {
      gitUrl: `root@localhost:${ssh.url(repo.bare).split(":")[1]}`,
      gitBranch: "main",
      gitAuth: "ssh",
      httpPort: "8080",
      healthPath: "/",
      healthTimeoutSec: "10",
      hostId,
    });
    expect(await service()).toEqual({ gitHostKeys: null, gitHostKeyOffer: null });
  });
});
