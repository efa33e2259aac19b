// A protected (production) environment's containers: revealing their environment and acting on them
// follow the environment's protection, through the data layer the pages and the API both use.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { containerRights } from "@/lib/data/container-protection";
import { exportEnvironment } from "@/lib/data/env-transfer";
import { actOnContainer, revealContainerEnv } from "@/lib/data/host-calls";
import { createProject, setEnvironmentProtected } from "@/lib/data/projects";
import { createService } from "@/lib/data/services";
import { setVariable } from "@/lib/data/variables";
import { ForbiddenError, ValidationError } from "@/lib/errors";
import type { TeamContext } from "@/lib/data/context";
import { addMember, makeTeam, uniq } from "./support/factory";

/** A container record as the host's agent would have reported it (the host is offline: no job is sent). */
async function container(hostId: string, labels: Record<string, string>) {
  const now = new Date();
  const dockerId = uniq("c").replace("-", "").padEnd(64, "0");
  await db.container.create({
    data: {
      hostId,
      dockerId,
      name: uniq("ctr"),
      image: "app:1",
      imageId: "sha256:x",
      command: "run",
      state: "running",
      status: "Up",
      ports: [],
      labels,
      restartPolicy: "no",
      createdAt: now,
      reportedAt: now,
    },
  });
  return dockerId;
}

async function setup() {
  const owner = await makeTeam();
  const p = await createProject(owner, { name: uniq("Shop") });
  const prodApi = await createService(owner, p.slug, "production", { name: "api", image: "app:1" });
  const stagingApi = await createService(owner, p.slug, "staging", { name: "api", image: "app:1" });
  const tokenHash = createHash("sha256").update(uniq()).digest("hex"); // never used: no agent runs for it
  const host = await db.host.create({ data: { teamId: owner.team.id, name: "h1", tokenHash, status: "OFFLINE" } });
  const labelsOf = (env: string, s: { id: string; name: string }) => ({
    "berth.project": p.slug,
    "berth.environment": env,
    "berth.service": s.name,
    "berth.service.id": s.id,
  });
  return {
    owner,
    p,
    host,
    prod: await container(host.id, labelsOf("production", prodApi)),
    staging: await container(host.id, labelsOf("staging", stagingApi)),
    outside: await container(host.id, { "com.example": "mine" }),
    labelsOf,
    prodApi,
  };
}

/** Forbidden, or allowed (which, with the host offline, ends in "offline" before anything is sent). */
async function outcome(p: Promise<unknown>): Promise<"forbidden" | "allowed"> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ForbiddenError) return "forbidden";
    if (e instanceof ValidationError && /offline/.test(e.message)) return "allowed";
    throw e;
  }
  throw new Error("expected the offline host to stop the call");
}

const both = (ctx: TeamContext, hostId: string, dockerId: string) =>
  Promise.all([outcome(revealContainerEnv(ctx, hostId, dockerId)), outcome(actOnContainer(ctx, hostId, dockerId, "restart"))]);

describe("containers of a protected environment", () => {
  it("need an admin to reveal or act on; an open environment's and outside containers do not", async () => {
    const { owner, host, prod, staging, outside } = await setup();
    const admin = await addMember(owner, "ADMIN");
    const dev = await addMember(owner, "DEVELOPER");
    const viewer = await addMember(owner, "VIEWER");
    expect(await both(dev, host.id, prod)).toEqual(["forbidden", "forbidden"]);
    expect(await both(dev, host.id, staging)).toEqual(["allowed", "allowed"]);
    expect(await both(dev, host.id, outside)).toEqual(["allowed", "allowed"]);
    expect(await both(admin, host.id, prod)).toEqual(["allowed", "allowed"]);
    expect(await both(owner, host.id, prod)).toEqual(["allowed", "allowed"]);
    expect(await both(viewer, host.id, staging)).toEqual(["forbidden", "forbidden"]);
    for (const action of ["stop", "kill", "remove", "start"] as const) {
      expect(await outcome(actOnContainer(dev, host.id, prod, action))).toBe("forbidden");
    }
    expect(await db.auditEvent.count({ where: { teamId: owner.team.id, action: { startsWith: "container." } } })).toBe(0);
  });

  it("follow the environment's protection as it changes", async () => {
    const { owner, p, host, prod } = await setup();
    const dev = await addMember(owner, "DEVELOPER");
    await setEnvironmentProtected(owner, p.slug, "production", false);
    expect(await both(dev, host.id, prod)).toEqual(["allowed", "allowed"]);
    await setEnvironmentProtected(owner, p.slug, "staging", true);
    await setEnvironmentProtected(owner, p.slug, "production", true);
    expect(await both(dev, host.id, prod)).toEqual(["forbidden", "forbidden"]);
  });

  it("stay protected when their service row is gone, and labels naming nothing of this team count as protected", async () => {
    const { owner, host, labelsOf, prodApi } = await setup();
    const dev = await addMember(owner, "DEVELOPER");
    await db.service.delete({ where: { id: prodApi.id } });
    const orphan = await container(host.id, labelsOf("production", prodApi));
    expect(await both(dev, host.id, orphan)).toEqual(["forbidden", "forbidden"]);
    const stagingOrphan = await container(host.id, labelsOf("staging", { id: "deleted-service", name: "old" }));
    expect(await both(dev, host.id, stagingOrphan)).toEqual(["allowed", "allowed"]);

    const other = await makeTeam();
    const op = await createProject(other, { name: "Theirs" });
    const openService = await createService(other, op.slug, "staging", { name: "web", image: "app:1" });
    const forged = await container(host.id, { "berth.project": "nope", "berth.environment": "staging", "berth.service.id": openService.id });
    expect(await both(dev, host.id, forged)).toEqual(["forbidden", "forbidden"]);
  });

  it("the page rights match what the data layer allows", async () => {
    const { owner, host, prod, staging, outside } = await setup();
    const rows = await db.container.findMany({ where: { hostId: host.id }, select: { dockerId: true, labels: true } });
    const order = [prod, staging, outside].map((id) => rows.find((r) => r.dockerId === id)!);
    const dev = await addMember(owner, "DEVELOPER");
    const admin = await addMember(owner, "ADMIN");
    expect(await containerRights(dev, order)).toEqual([
      { act: false, env: false },
      { act: true, env: true },
      { act: true, env: true },
    ]);
    expect((await containerRights(admin, order)).every((r) => r.act && r.env)).toBe(true);
  });
});

describe(".env export of a protected environment", () => {
  it("leaves secrets out for developers and includes them only for admins", async () => {
    const owner = await makeTeam();
    const p = await createProject(owner, { name: uniq("Exp") });
    const prod = await db.environment.findFirstOrThrow({
      where: { projectId: (await db.project.findFirstOrThrow({ where: { teamId: owner.team.id, slug: p.slug } })).id, slug: "production" },
    });
    expect(prod.protected).toBe(true);
    await setVariable(owner, { scope: "ENVIRONMENT", environmentId: prod.id }, { key: "DB_PASSWORD", value: "prod-secret-value", secret: true });
    const dev = await addMember(owner, "DEVELOPER");
    await expect(exportEnvironment(dev, p.slug, "production", { includeSecrets: true })).rejects.toBeInstanceOf(ForbiddenError);
    expect(await exportEnvironment(dev, p.slug, "production")).not.toContain("prod-secret-value");
    const admin = await addMember(owner, "ADMIN");
    expect(await exportEnvironment(admin, p.slug, "production", { includeSecrets: true })).toContain("prod-secret-value");
  });
});
