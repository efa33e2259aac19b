import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import {
  createEnvironment,
  createProject,
  getEnvironment,
  getProject,
  listProjects,
  renameProject,
  setEnvironmentProtected,
  setProjectArchived,
} from "@/lib/data/projects";
import { deleteVariable, listVariables, restoreVariableVersion, setVariable, variableHistory } from "@/lib/data/variables";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "@/lib/errors";
import { addMember, makeTeam } from "./support/factory";

describe("projects and environments", () => {
  it("creates development, staging and a protected production", async () => {
    const ctx = await makeTeam();
    const p = await createProject(ctx, { name: "Web Shop" });
    expect(p.slug).toBe("web-shop");
    const full = await getProject(ctx, p.slug);
    expect(full.environments.map((e) => [e.slug, e.protected])).toEqual([
      ["development", false],
      ["staging", false],
      ["production", true],
    ]);
    expect((await createProject(ctx, { name: "Web Shop" })).slug).toBe("web-shop-2");
  });

  it("adds custom environments, refuses duplicates, and lets only admins protect", async () => {
    const owner = await makeTeam();
    const dev = await addMember(owner, "DEVELOPER");
    const p = await createProject(dev, { name: "Api" });
    const qa = await createEnvironment(dev, p.slug, { name: "qa" });
    expect(qa.protected).toBe(false);
    await expect(createEnvironment(dev, p.slug, { name: "qa" })).rejects.toBeInstanceOf(ConflictError);
    await expect(createEnvironment(dev, p.slug, { name: "secure", protected: true })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(setEnvironmentProtected(dev, p.slug, "qa", true)).rejects.toBeInstanceOf(ForbiddenError);
    await setEnvironmentProtected(owner, p.slug, "qa", true);
    expect((await getEnvironment(owner, p.slug, "qa")).env.protected).toBe(true);
  });

  it("renames and archives; viewers only read; other teams see nothing", async () => {
    const owner = await makeTeam();
    const viewer = await addMember(owner, "VIEWER");
    const p = await createProject(owner, { name: "Old" });
    await expect(renameProject(viewer, p.slug, { name: "New" })).rejects.toBeInstanceOf(ForbiddenError);
    await renameProject(owner, p.slug, { name: "New" });
    await setProjectArchived(owner, p.slug, true);
    expect((await listProjects(viewer)).map((x) => x.slug)).not.toContain(p.slug);
    expect((await listProjects(viewer, { archived: true })).map((x) => x.name)).toEqual(["New"]);
    const other = await makeTeam();
    await expect(getProject(other, p.slug)).rejects.toBeInstanceOf(NotFoundError);
    expect(await listProjects(other)).toEqual([]);
  });
});

describe("variables", () => {
  it("keeps secrets sealed at rest and write-only, and masks them everywhere", async () => {
    const ctx = await makeTeam();
    const p = await createProject(ctx, { name: "Svc" });
    const { env } = await getEnvironment(ctx, p.slug, "staging");
    const ref = { scope: "ENVIRONMENT" as const, environmentId: env.id };
    await setVariable(ctx, ref, { key: "LOG_LEVEL", value: "debug" });
    await setVariable(ctx, ref, { key: "API_TOKEN", value: "tok_live_7f3a9", secret: true });
    const listed = await listVariables(ctx, ref);
    expect(listed.map((v) => [v.key, v.secret, v.value])).toEqual([
      ["API_TOKEN", true, null],
      ["LOG_LEVEL", false, "debug"],
    ]);
    const raw = await db.$queryRaw<{ dump: string }[]>`
      SELECT string_agg(t::text, ' ') AS dump FROM (
        SELECT v::text AS t FROM "Variable" v UNION ALL SELECT vv::text FROM "VariableVersion" vv UNION ALL SELECT a::text FROM "AuditEvent" a
      ) x`;
    expect(raw[0]!.dump).not.toContain("tok_live_7f3a9");
    const history = await variableHistory(ctx, ref, "API_TOKEN");
    expect(history.map((h) => h.value)).toEqual([null]);
  });

  it("keeps history and restores an earlier value in one step", async () => {
    const ctx = await makeTeam();
    const p = await createProject(ctx, { name: "Hist" });
    const ref = { scope: "PROJECT" as const, projectId: p.id };
    await setVariable(ctx, ref, { key: "REPLICAS", value: "1" });
    await setVariable(ctx, ref, { key: "REPLICAS", value: "3" });
    await setVariable(ctx, ref, { key: "SECRET_SALT", value: "first-salt", secret: true });
    await setVariable(ctx, ref, { key: "SECRET_SALT", value: "second-salt", secret: true });
    const history = await variableHistory(ctx, ref, "REPLICAS");
    expect(history.map((h) => [h.action, h.value])).toEqual([
      ["set", "3"],
      ["set", "1"],
    ]);
    await restoreVariableVersion(ctx, ref, history[1]!.id);
    expect((await listVariables(ctx, ref)).find((v) => v.key === "REPLICAS")?.value).toBe("1");
    expect((await variableHistory(ctx, ref, "REPLICAS"))[0]!.action).toBe("restore");
    const salts = await variableHistory(ctx, ref, "SECRET_SALT");
    await restoreVariableVersion(ctx, ref, salts[1]!.id); // a secret restores without being shown
    const { openVariables } = await import("@/lib/data/variables");
    expect((await openVariables(ctx.team.id, [`project:${p.id}`])).find((v) => v.key === "SECRET_SALT")?.value).toBe("first-salt");
    await deleteVariable(ctx, ref, "REPLICAS");
    expect((await variableHistory(ctx, ref, "REPLICAS"))[0]!.action).toBe("delete");
    await expect(restoreVariableVersion(ctx, ref, (await variableHistory(ctx, ref, "REPLICAS"))[0]!.id)).rejects.toBeInstanceOf(ValidationError);
  });

  it("protects production from developers; team variables are for admins", async () => {
    const owner = await makeTeam();
    const dev = await addMember(owner, "DEVELOPER");
    const p = await createProject(owner, { name: "Prot" });
    const prod = (await getEnvironment(owner, p.slug, "production")).env;
    const staging = (await getEnvironment(owner, p.slug, "staging")).env;
    await expect(setVariable(dev, { scope: "ENVIRONMENT", environmentId: prod.id }, { key: "X", value: "1" })).rejects.toThrow(/protected/);
    await setVariable(dev, { scope: "ENVIRONMENT", environmentId: staging.id }, { key: "X", value: "1" });
    await setVariable(owner, { scope: "ENVIRONMENT", environmentId: prod.id }, { key: "X", value: "1" });
    await expect(setVariable(dev, { scope: "TEAM" }, { key: "X", value: "1" })).rejects.toBeInstanceOf(ForbiddenError);
    expect((await listVariables(dev, { scope: "ENVIRONMENT", environmentId: prod.id })).map((v) => v.key)).toEqual(["X"]);
  });

  it("refuses bad keys, and another team's owners are not found", async () => {
    const ctx = await makeTeam();
    const p = await createProject(ctx, { name: "Keys" });
    const ref = { scope: "PROJECT" as const, projectId: p.id };
    await expect(setVariable(ctx, ref, { key: "1BAD", value: "x" })).rejects.toBeInstanceOf(ValidationError);
    await expect(setVariable(ctx, ref, { key: "HAS SPACE", value: "x" })).rejects.toBeInstanceOf(ValidationError);
    const other = await makeTeam();
    await expect(setVariable(other, ref, { key: "X", value: "1" })).rejects.toBeInstanceOf(NotFoundError);
    await expect(listVariables(other, ref)).rejects.toBeInstanceOf(NotFoundError);
    const { env } = await getEnvironment(ctx, p.slug, "development");
    await expect(listVariables(other, { scope: "ENVIRONMENT", environmentId: env.id })).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe("services", () => {
  it("another team's services are not found, for reads, writes, deploys and their variables", async () => {
    const { createService, deleteService, getService } = await import("@/lib/data/services");
    const { deployImage } = await import("@/lib/data/deployments");
    const ctx = await makeTeam();
    const p = await createProject(ctx, { name: "Owned" });
    const svc = await createService(ctx, p.slug, "staging", { name: "api", image: "nginx:1.27", ports: "8080:80\n53/udp", volumes: "data:/data:ro" });
    const full = await getService(ctx, svc.id);
    expect(full.ports).toEqual([
      { host: 8080, container: 80, protocol: "tcp" },
      { host: null, container: 53, protocol: "udp" },
    ]);
    expect(full.volumes).toEqual([{ source: "data", target: "/data", readOnly: true }]);
    const other = await makeTeam();
    await expect(getService(other, svc.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(deployImage(other, svc.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(deleteService(other, svc.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(setVariable(other, { scope: "SERVICE", serviceId: svc.id }, { key: "X", value: "1" })).rejects.toBeInstanceOf(NotFoundError);
    await expect(createService(other, p.slug, "staging", { name: "x", image: "nginx:1.27" })).rejects.toBeInstanceOf(NotFoundError);
    await expect(createService(ctx, p.slug, "staging", { name: "api", image: "nginx:1.27" })).rejects.toThrow(/already has a service/);
    await expect(createService(ctx, p.slug, "staging", { name: "bad-port", image: "nginx:1.27", ports: "99999" })).rejects.toBeInstanceOf(ValidationError);

    const { updateService } = await import("@/lib/data/services");
    await updateService(ctx, svc.id, { image: "nginx:1.28", ports: "9090:80", restartPolicy: "always" });
    expect(await getService(ctx, svc.id)).toMatchObject({
      image: "nginx:1.28",
      restartPolicy: "always",
      ports: [{ host: 9090, container: 80, protocol: "tcp" }],
      volumes: [],
    });
    await expect(updateService(other, svc.id, { image: "evil:1" })).rejects.toBeInstanceOf(NotFoundError);
    const dev = await addMember(ctx, "DEVELOPER");
    const prodSvc = await createService(ctx, p.slug, "production", { name: "api", image: "nginx:1.27" });
    await expect(updateService(dev, prodSvc.id, { image: "nginx:1.28" })).rejects.toBeInstanceOf(ForbiddenError);
  });
});
