// Saving a variable whose references do not resolve is refused with the message the service card shows,
// at every scope and for .env imports; "Save anyway" keeps it; errors that were already there do not block
// unrelated saves; a refused form keeps what was typed, except a secret value.
import { describe, expect, it } from "vitest";
import { applyImport } from "@/lib/data/env-transfer";
import { createProject, getEnvironment } from "@/lib/data/projects";
import { resolvedServices } from "@/lib/data/resolved-config";
import { createService } from "@/lib/data/services";
import { listVariables, openVariables, restoreVariableVersion, setVariable, variableHistory, type OwnerRef } from "@/lib/data/variables";
import type { TeamContext } from "@/lib/data/context";
import { ValidationError } from "@/lib/errors";
import { runAction } from "@/lib/http/action-state";
import { makeTeam, uniq } from "./support/factory";

async function refusal(p: Promise<unknown>): Promise<ValidationError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ValidationError);
  return e as ValidationError;
}

async function place(ctx: TeamContext, envSlug = "staging") {
  const p = await createProject(ctx, { name: uniq("Refs") });
  const { env } = await getEnvironment(ctx, p.slug, envSlug);
  return { p, env, envRef: { scope: "ENVIRONMENT", environmentId: env.id } as OwnerRef };
}

/** The errors the service cards of an environment show, by service name. */
async function cardErrors(ctx: TeamContext, env: { id: string }, projectId: string) {
  return Object.fromEntries((await resolvedServices(ctx, { id: env.id, projectId })).map((s) => [s.name, s.errors.map((e) => e.message)]));
}

const keysOf = async (ctx: TeamContext, ref: OwnerRef) => (await listVariables(ctx, ref)).map((v) => v.key);

describe("saving a variable with a broken reference", () => {
  it("is refused at service scope with the service card's own message, and kept with Save anyway", async () => {
    const ctx = await makeTeam();
    const { p, env } = await place(ctx);
    const api = await createService(ctx, p.slug, "staging", { name: "api", image: "nginx:1.27" });
    const ref: OwnerRef = { scope: "SERVICE", serviceId: api.id };

    const e = await refusal(setVariable(ctx, ref, { key: "URL", value: "https://${{ HOST }}/" }));
    expect(await keysOf(ctx, ref)).toEqual([]);
    expect(e.fields.force).toHaveLength(1);

    await setVariable(ctx, ref, { key: "URL", value: "https://${{ HOST }}/", force: "on" });
    const shown = (await cardErrors(ctx, env, p.id)).api!;
    expect(shown).toEqual(["URL → missing HOST"]);
    // The refusal carried exactly what the card now shows, and where.
    expect(e.fields.value).toEqual([`${shown[0]} (in ${p.name}/staging/api)`]);
    expect(e.message).toContain(shown[0]);

    // Once HOST exists, saving is fine, and the card is clean.
    await setVariable(ctx, { scope: "PROJECT", projectId: p.id }, { key: "HOST", value: "example.test" });
    expect((await cardErrors(ctx, env, p.id)).api).toEqual([]);
  });

  it("refuses a cycle at environment scope, naming it like the card", async () => {
    const ctx = await makeTeam();
    const { p, env, envRef } = await place(ctx);
    await createService(ctx, p.slug, "staging", { name: "web", image: "nginx:1.27" });
    await setVariable(ctx, envRef, { key: "A", value: "${{ B }}", force: true });
    const e = await refusal(setVariable(ctx, envRef, { key: "B", value: "x-${{ A }}" }));
    expect(await keysOf(ctx, envRef)).toEqual(["A"]);
    await setVariable(ctx, envRef, { key: "B", value: "x-${{ A }}", force: true });
    const shown = (await cardErrors(ctx, env, p.id)).web!;
    expect(shown.some((m) => /\(cycle\)$/.test(m))).toBe(true);
    for (const m of shown) expect(e.message).toContain(m);
  });

  it("checks team and project variables in every environment they reach, naming where they break", async () => {
    const ctx = await makeTeam();
    const { p } = await place(ctx);
    const { env: prod } = await getEnvironment(ctx, p.slug, "production");
    await createService(ctx, p.slug, "staging", { name: "api", image: "nginx:1.27" });
    await createService(ctx, p.slug, "production", { name: "api", image: "nginx:1.27" });
    // Only production defines DB_HOST: a project variable that uses it breaks staging's api alone.
    await setVariable(ctx, { scope: "ENVIRONMENT", environmentId: prod.id }, { key: "DB_HOST", value: "db.prod" });
    const e = await refusal(setVariable(ctx, { scope: "PROJECT", projectId: p.id }, { key: "DATABASE_URL", value: "postgres://${{ DB_HOST }}/app" }));
    expect(e.fields.value).toEqual([`DATABASE_URL → missing DB_HOST (in ${p.name}/development, for a service added there, ${p.name}/staging/api)`]);

    const team = await refusal(setVariable(ctx, { scope: "TEAM" }, { key: "SENTRY", value: "${{ team.SENTRY_DSN }}" }));
    expect(team.message).toMatch(/SENTRY → missing team\.SENTRY_DSN/);
    expect(await keysOf(ctx, { scope: "TEAM" })).toEqual([]);
    // A late-bound reference every service can answer is fine.
    await setVariable(
      ctx,
      { scope: "ENVIRONMENT", environmentId: (await getEnvironment(ctx, p.slug, "staging")).env.id },
      { key: "DB_HOST", value: "db.staging" },
    );
    await setVariable(
      ctx,
      { scope: "ENVIRONMENT", environmentId: (await getEnvironment(ctx, p.slug, "development")).env.id },
      { key: "DB_HOST", value: "db.dev" },
    );
    await setVariable(ctx, { scope: "PROJECT", projectId: p.id }, { key: "DATABASE_URL", value: "postgres://${{ DB_HOST }}/app" });
  });

  it("checks an environment without services as if one were added, and a team without projects", async () => {
    const ctx = await makeTeam();
    await refusal(setVariable(ctx, { scope: "TEAM" }, { key: "X", value: "${{ Y }}" }));
    const { envRef } = await place(ctx);
    const e = await refusal(setVariable(ctx, envRef, { key: "X", value: "${{ Y }}" }));
    expect(e.fields.value![0]).toMatch(/^X → missing Y \(in .*\/staging, for a service added there\)$/);
  });

  it("does not blame a save for errors that were there before it", async () => {
    const ctx = await makeTeam();
    const { p, envRef } = await place(ctx);
    await createService(ctx, p.slug, "staging", { name: "api", image: "nginx:1.27" });
    await setVariable(ctx, envRef, { key: "OLD", value: "${{ GONE }}", force: true });
    await setVariable(ctx, envRef, { key: "FINE", value: "plain" });
    await setVariable(ctx, envRef, { key: "ALSO_FINE", value: "${{ FINE }}" });
    // A restore puts back what was saved before: not checked again.
    await setVariable(ctx, envRef, { key: "FINE", value: "${{ NOT_YET }}", force: true });
    await setVariable(ctx, envRef, { key: "FINE", value: "plain again" });
    const broken = (await variableHistory(ctx, envRef, "FINE")).find((v) => v.value === "${{ NOT_YET }}")!;
    await restoreVariableVersion(ctx, envRef, broken.id);
    expect((await listVariables(ctx, envRef)).find((v) => v.key === "FINE")?.value).toBe("${{ NOT_YET }}");
  });

  it("refuses a .env import that breaks a reference, writing nothing, unless forced", async () => {
    const ctx = await makeTeam();
    const { p, env } = await place(ctx);
    await createService(ctx, p.slug, "staging", { name: "api", image: "nginx:1.27" });
    const text = "GOOD=1\nURL=https://${{ HOSTNAME_X }}/\n";
    const e = await refusal(applyImport(ctx, env.id, text));
    expect(e.message).toContain("URL → missing HOSTNAME_X");
    expect(e.fields.force).toHaveLength(1);
    expect(await openVariables(ctx.team.id, [`environment:${env.id}`])).toEqual([]);
    // References between the imported keys themselves resolve together.
    expect(await applyImport(ctx, env.id, "HOSTNAME_X=example.test\nURL=https://${{ HOSTNAME_X }}/\n")).toMatchObject({
      written: 2,
      total: 2,
      created: ["HOSTNAME_X", "URL"],
    });
    expect(await applyImport(ctx, env.id, "LATER=${{ LATER_KEY }}\n", [], { force: true })).toMatchObject({ written: 1, total: 1, created: ["LATER"] });
  });

  it("keeps what was typed in the refused form, except a secret value", async () => {
    const ctx = await makeTeam();
    const { p, envRef } = await place(ctx);
    await createService(ctx, p.slug, "staging", { name: "api", image: "nginx:1.27" });
    const plain = { key: "URL", value: "https://${{ NOPE }}/" };
    const state = await runAction(async () => void (await setVariable(ctx, envRef, plain)), plain);
    expect(state).toMatchObject({ ok: false, values: { key: "URL", value: plain.value }, fields: { value: [expect.stringContaining("URL → missing NOPE")] } });
    expect(state.fields?.force).toHaveLength(1);

    const secret = { key: "TOKEN", value: "tok-${{ NOPE }}-s3cr3t", secret: "on" };
    const refused = await runAction(async () => void (await setVariable(ctx, envRef, secret)), secret);
    expect(refused.ok).toBe(false);
    expect(refused.fields?.force).toHaveLength(1);
    expect(refused.values).toEqual({ key: "TOKEN", secret: "on" });
    expect(JSON.stringify(refused)).not.toContain("s3cr3t");
  });
});
