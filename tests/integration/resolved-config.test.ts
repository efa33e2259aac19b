import { describe, expect, it } from "vitest";
import { createProject, getEnvironment } from "@/lib/data/projects";
import { deployableEnv, resolvedServices, sharedVariableUsage } from "@/lib/data/resolved-config";
import { createService } from "@/lib/data/services";
import { setVariable } from "@/lib/data/variables";
import { makeTeam } from "./support/factory";

describe("resolved configuration", () => {
  it("shows each service's values with their source, secrets masked, and reference errors", async () => {
    const ctx = await makeTeam();
    const p = await createProject(ctx, { name: "Resolve" });
    const { env } = await getEnvironment(ctx, p.slug, "staging");
    await setVariable(ctx, { scope: "TEAM" }, { key: "DOMAIN", value: "example.test" });
    await setVariable(ctx, { scope: "ENVIRONMENT", environmentId: env.id }, { key: "KEY", value: "k-123", secret: true });
    // Saved before the worker and its QUEUE exist: "Save anyway".
    await setVariable(
      ctx,
      { scope: "ENVIRONMENT", environmentId: env.id },
      { key: "URL", value: "https://${{ team.DOMAIN }}/${{ services.worker.QUEUE }}", force: true },
    );
    const api = await createService(ctx, p.slug, "staging", { name: "api", image: "nginx:1.27" });
    const worker = await createService(ctx, p.slug, "staging", { name: "worker", image: "nginx:1.27" });
    await setVariable(ctx, { scope: "SERVICE", serviceId: worker.id }, { key: "QUEUE", value: "jobs" });
    await setVariable(ctx, { scope: "SERVICE", serviceId: api.id }, { key: "BROKEN", value: "${{ NOPE }}", force: true });

    const [apiView, workerView] = await resolvedServices(ctx, { id: env.id, projectId: p.id });
    expect(apiView!.name).toBe("api");
    expect(Object.fromEntries(apiView!.vars.map((v) => [v.key, [v.value, v.source]]))).toEqual({
      DOMAIN: ["example.test", "team"],
      KEY: [null, "environment"],
      URL: ["https://example.test/jobs", "environment"],
    });
    expect(apiView!.errors.map((e) => e.key)).toEqual(["BROKEN"]);
    expect(apiView!.errors[0]!.message).toMatch(/NOPE/);
    expect(workerView!.errors).toEqual([]);
    expect(JSON.stringify([apiView, workerView])).not.toContain("k-123");

    const usage = await sharedVariableUsage(ctx, "team");
    expect(usage.DOMAIN?.sort()).toEqual(["resolve/staging/api", "resolve/staging/worker"]);
  });

  it("values that double each other through references are an error on the page and for deploys, not a huge page", async () => {
    const ctx = await makeTeam();
    const p = await createProject(ctx, { name: "Doubling" });
    const { env } = await getEnvironment(ctx, p.slug, "staging");
    const owner = { scope: "ENVIRONMENT" as const, environmentId: env.id };
    await setVariable(ctx, owner, { key: "D0", value: "x".repeat(16_000) });
    for (let j = 1; j < 11; j++) await setVariable(ctx, owner, { key: `D${j}`, value: `\${{ D${j - 1} }}\${{ D${j - 1} }}`, force: true });
    const api = await createService(ctx, p.slug, "staging", { name: "api", image: "nginx:1.27" });

    const [view] = await resolvedServices(ctx, { id: env.id, projectId: p.id });
    expect(view!.vars.map((v) => v.key)).toEqual(["D0", "D1", "D2"]);
    expect(view!.errors.find((e) => e.key === "D3")?.message).toBe("D3: expands to more than 64 KB");
    expect(view!.errors.find((e) => e.key === "D10")?.message).toMatch(/^D10 → D9 → .* → D3: expands to more than 64 KB$/);
    expect(JSON.stringify(view).length).toBeLessThan(200_000); // it was 33 MB

    const deploy = await deployableEnv(ctx.team.id, { id: env.id, projectId: p.id }, { id: api.id, name: "api" });
    expect(deploy.errors.map((e) => e.key)).toEqual(["D10", "D3", "D4", "D5", "D6", "D7", "D8", "D9"]);
  });
});
