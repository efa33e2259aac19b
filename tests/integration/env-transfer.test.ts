import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { createGitService } from "@/lib/data/git-services";
import { applyImport, cloneEnvironment, compareEnvironments, exportEnvironment, previewImport, promoteVariables } from "@/lib/data/env-transfer";
import { createProject, getEnvironment } from "@/lib/data/projects";
import { createService } from "@/lib/data/services";
import { listVariables, openVariables, setVariable } from "@/lib/data/variables";
import { ForbiddenError, NotFoundError, ValidationError } from "@/lib/errors";
import { addMember, makeTeam } from "./support/factory";

async function setup() {
  const owner = await makeTeam();
  const p = await createProject(owner, { name: "Transfer" });
  const staging = (await getEnvironment(owner, p.slug, "staging")).env;
  const prod = (await getEnvironment(owner, p.slug, "production")).env;
  const at = (env: { id: string }) => ({ scope: "ENVIRONMENT" as const, environmentId: env.id });
  await setVariable(owner, at(staging), { key: "ONLY_STAGING", value: "1" });
  await setVariable(owner, at(staging), { key: "SAME", value: "x" });
  await setVariable(owner, at(prod), { key: "SAME", value: "x" });
  await setVariable(owner, at(staging), { key: "DIFFERS", value: "new" });
  await setVariable(owner, at(prod), { key: "DIFFERS", value: "old" });
  await setVariable(owner, at(staging), { key: "TOKEN", value: "stage-secret", secret: true });
  await setVariable(owner, at(prod), { key: "TOKEN", value: "prod-secret", secret: true });
  await setVariable(owner, at(prod), { key: "ONLY_PROD", value: "2" });
  return { owner, p, staging, prod, at };
}

describe("compare and promote", () => {
  it("shows missing and differing keys, comparing secrets without revealing them", async () => {
    const { owner, p } = await setup();
    const { rows } = await compareEnvironments(owner, p.slug, "staging", "production");
    const byKey = Object.fromEntries(rows.map((r) => [r.key, r]));
    expect(byKey.ONLY_STAGING).toMatchObject({ inA: true, inB: false });
    expect(byKey.ONLY_PROD).toMatchObject({ inA: false, inB: true });
    expect(byKey.SAME).toMatchObject({ same: true, a: "x", b: "x" });
    expect(byKey.DIFFERS).toMatchObject({ same: false, a: "new", b: "old" });
    expect(byKey.TOKEN).toMatchObject({ same: false, secret: true, a: null, b: null });
    expect(JSON.stringify(rows)).not.toMatch(/stage-secret|prod-secret/);
  });

  it("promotes chosen keys in one step, secrets staying secret; protected targets need an admin", async () => {
    const { owner, p, prod } = await setup();
    const dev = await addMember(owner, "DEVELOPER");
    await expect(promoteVariables(dev, p.slug, "staging", "production", { keys: ["DIFFERS"] })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(promoteVariables(owner, p.slug, "staging", "production", { keys: ["NOPE"] })).rejects.toBeInstanceOf(ValidationError);
    await promoteVariables(owner, p.slug, "staging", "production", { keys: ["DIFFERS", "TOKEN", "ONLY_STAGING"] });
    const after = Object.fromEntries((await openVariables(owner.team.id, [`environment:${prod.id}`])).map((v) => [v.key, [v.value, v.secret]]));
    expect(after).toMatchObject({ DIFFERS: ["new", false], TOKEN: ["stage-secret", true], ONLY_STAGING: ["1", false], ONLY_PROD: ["2", false] });
    // A developer may not carry production's secrets into an open environment.
    await expect(promoteVariables(dev, p.slug, "production", "staging", { keys: ["TOKEN"] })).rejects.toThrow(/protected/);
    await promoteVariables(dev, p.slug, "production", "staging", { keys: ["ONLY_PROD"] });
    await expect(cloneEnvironment(dev, p.slug, "production", { name: "leak", withSecrets: true })).rejects.toBeInstanceOf(ForbiddenError);
    const other = await makeTeam();
    await expect(compareEnvironments(other, p.slug, "staging", "production")).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe(".env import and export", () => {
  it("previews, then imports atomically, keeping secrets secret", async () => {
    const { owner, staging } = await setup();
    const text = 'SAME=x\nDIFFERS="newer"\nTOKEN=rotated\nBRAND_NEW=1\n';
    const preview = await previewImport(owner, staging.id, text);
    expect(Object.fromEntries(preview.changes.map((c) => [c.key, c.status]))).toEqual({
      SAME: "unchanged",
      DIFFERS: "changed",
      TOKEN: "changed",
      BRAND_NEW: "new",
    });
    expect(preview.changes.find((c) => c.key === "TOKEN")?.value).toBeNull();
    expect(await applyImport(owner, staging.id, text, ["BRAND_NEW"])).toEqual({
      written: 3,
      total: 4,
      created: ["BRAND_NEW"],
      updated: ["DIFFERS", "TOKEN"],
      unchanged: ["SAME"],
    });
    const vars = Object.fromEntries((await listVariables(owner, { scope: "ENVIRONMENT", environmentId: staging.id })).map((v) => [v.key, [v.value, v.secret]]));
    expect(vars).toMatchObject({ DIFFERS: ["newer", false], TOKEN: [null, true], BRAND_NEW: [null, true] });
    const before = await db.variableVersion.count({ where: { owner: `environment:${staging.id}` } });
    await expect(applyImport(owner, staging.id, "GOOD=1\nbad line\n")).rejects.toThrow(/line 2/);
    expect(await db.variableVersion.count({ where: { owner: `environment:${staging.id}` } })).toBe(before);
  });

  it("refuses an oversized .env with an error for its field, and previews an adversarial one in linear time", async () => {
    const { owner, staging } = await setup();
    const huge = `A=${"x".repeat(1024 * 1024)}`;
    // One call at a time: a second promise made up front rejects before it is awaited (an unhandled rejection).
    for (const call of [() => previewImport(owner, staging.id, huge), () => applyImport(owner, staging.id, huge)]) {
      const e = await call().catch((err: unknown) => err);
      expect(e).toBeInstanceOf(ValidationError);
      expect((e as ValidationError).fields.dotenv).toEqual(["The .env is too large: more than 1 MB."]);
    }
    // An unterminated quote before 1 MB of lines: quadratic before (1.4 s at 16,000 lines, hours at 1 MB).
    const start = Date.now();
    const preview = await previewImport(owner, staging.id, `OPEN="\n${"a line of text in the value of OPEN\n".repeat(27_000)}`);
    expect(Date.now() - start).toBeLessThan(5_000);
    expect(preview).toEqual({ errors: [{ line: 1, message: 'line 1: unterminated " quote for OPEN' }], changes: [] });
  });

  it("exports without secrets unless an admin asks, and audits that", async () => {
    const { owner, p } = await setup();
    const dev = await addMember(owner, "DEVELOPER");
    const plain = await exportEnvironment(dev, p.slug, "staging");
    expect(plain).toContain('DIFFERS="new"');
    expect(plain).not.toContain("stage-secret");
    expect(plain).toContain("# 1 secret left out: TOKEN");
    await expect(exportEnvironment(dev, p.slug, "staging", { includeSecrets: true })).rejects.toBeInstanceOf(ForbiddenError);
    expect(await exportEnvironment(owner, p.slug, "staging", { includeSecrets: true })).toContain('TOKEN="stage-secret"');
    expect(await db.auditEvent.count({ where: { teamId: owner.team.id, action: "variable.export-secrets" } })).toBe(1);
  });
});

describe("cloning an environment", () => {
  it("copies variables and services, secrets only when asked", async () => {
    const { owner, p, staging } = await setup();
    await createService(owner, p.slug, "staging", { name: "api", image: "nginx:1.27" });
    await createGitService(owner, p.slug, "staging", { name: "site", gitUrl: "https://git.example.com/app.git", gitBranch: "main", httpPort: "8080" });
    const plain = await cloneEnvironment(owner, p.slug, "staging", { name: "preview" });
    // A git service stays one (it used to become an image service with no image).
    expect(await db.service.findFirst({ where: { environmentId: plain.id, name: "site" } })).toMatchObject({
      source: "git",
      gitUrl: "https://git.example.com/app.git",
      gitBranch: "main",
      httpPort: 8080,
    });
    const keys = (await listVariables(owner, { scope: "ENVIRONMENT", environmentId: plain.id })).map((v) => v.key);
    expect(keys).toEqual(["DIFFERS", "ONLY_STAGING", "SAME"]);
    expect(await db.service.count({ where: { environmentId: plain.id, name: "api" } })).toBe(1);
    const full = await cloneEnvironment(owner, p.slug, "staging", { name: "preview-2", withSecrets: true });
    const token = (await openVariables(owner.team.id, [`environment:${full.id}`])).find((v) => v.key === "TOKEN");
    expect(token).toMatchObject({ value: "stage-secret", secret: true });
    expect(staging.id).not.toBe(full.id);
  });
});
