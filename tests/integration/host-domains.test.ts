// Hostnames are unique per host: a custom domain, or a generated <service>.<env>.<project>.<base domain> name,
// already routed to another service on the same host is a field error naming that service, also when saves
// race; other hosts, and other teams' hosts, are free to use the same names.
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import type { TeamContext } from "@/lib/data/context";
import { createGitService, updateGitService } from "@/lib/data/git-services";
import { createHost, updateHostDeploySettings } from "@/lib/data/hosts";
import { createProject } from "@/lib/data/projects";
import { ConflictError, NotFoundError } from "@/lib/errors";
import { makeTeam, uniq } from "./support/factory";

const REPO = "https://git.example.test/team/app.git";

async function setup() {
  const ctx = await makeTeam();
  const one = await createHost(ctx, { name: "host-one" });
  const two = await createHost(ctx, { name: "host-two" });
  const project = await createProject(ctx, { name: uniq("Shop") });
  return { ctx, one: one.id, two: two.id, project };
}

const git = (ctx: TeamContext, project: string, env: string, name: string, extra: Record<string, string>) =>
  createGitService(ctx, project, env, { name, gitUrl: REPO, gitBranch: "main", httpPort: "8080", ...extra });

async function conflict(p: Promise<unknown>): Promise<Record<string, string[] | undefined>> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ConflictError);
  return (e as ConflictError).fields;
}

describe("custom domains", () => {
  it("may be routed by one service per host; the error names the other service", async () => {
    const { ctx, one, two, project } = await setup();
    const web = await git(ctx, project.slug, "staging", "web", { hostId: one, domains: "app.example.com, www.example.com" });
    expect(await conflict(git(ctx, project.slug, "production", "api", { hostId: one, domains: "other.example.com WWW.example.com" }))).toEqual({
      domains: [`www.example.com is already routed to ${project.name}/staging/web on host-one.`],
    });
    // On another host the same names are fine, and a service keeps its own names when saved again.
    await git(ctx, project.slug, "production", "api", { hostId: two, domains: "app.example.com www.example.com" });
    await updateGitService(ctx, web.id, { gitUrl: REPO, gitBranch: "main", httpPort: "8080", hostId: one, domains: "app.example.com www.example.com" });
    // Moving a service onto a host where its domain is taken is refused the same way.
    const apiId = (await db.service.findFirstOrThrow({ where: { name: "api", environment: { projectId: project.id, slug: "production" } } })).id;
    expect(
      await conflict(updateGitService(ctx, apiId, { gitUrl: REPO, gitBranch: "main", httpPort: "8080", hostId: one, domains: "app.example.com" })),
    ).toEqual({
      domains: [`app.example.com is already routed to ${project.name}/staging/web on host-one.`],
    });
    expect((await db.service.findUniqueOrThrow({ where: { id: apiId } })).hostId).toBe(two);
  });

  it("may not take a generated name, nor a generated name a custom domain", async () => {
    const { ctx, one, two, project } = await setup();
    const generated = `web.staging.${project.slug}.localhost`;
    await git(ctx, project.slug, "staging", "web", { hostId: one });
    expect(await conflict(git(ctx, project.slug, "production", "impostor", { hostId: one, domains: generated }))).toEqual({
      domains: [`${generated} is already routed to ${project.name}/staging/web on host-one.`],
    });
    // The other way round: a custom domain first, then a service whose generated name it is.
    await git(ctx, project.slug, "production", "claims", { hostId: one, domains: `api.development.${project.slug}.localhost` });
    expect(await conflict(git(ctx, project.slug, "development", "api", { hostId: one }))).toEqual({
      name: [`api.development.${project.slug}.localhost is already routed to ${project.name}/production/claims on host-one.`],
    });
    // Created elsewhere, it may not move onto that host either.
    const api = await git(ctx, project.slug, "development", "api", { hostId: two });
    expect(await conflict(updateGitService(ctx, api.id, { gitUrl: REPO, gitBranch: "main", httpPort: "8080", hostId: one }))).toEqual({
      hostId: [`api.development.${project.slug}.localhost is already routed to ${project.name}/production/claims on host-one.`],
    });
  });

  it("stay unique when saves race for one name", async () => {
    const { ctx, one, project } = await setup();
    const attempts = await Promise.allSettled(
      ["a", "b", "c", "d", "e", "f"].map((n) => git(ctx, project.slug, "staging", `racer-${n}`, { hostId: one, domains: "race.example.com" })),
    );
    expect(attempts.filter((a) => a.status === "fulfilled")).toHaveLength(1);
    for (const a of attempts.filter((a) => a.status === "rejected")) expect((a as PromiseRejectedResult).reason).toBeInstanceOf(ConflictError);
    const holders = await db.service.findMany({ where: { hostId: one, domains: { array_contains: ["race.example.com"] } } });
    expect(holders).toHaveLength(1);
  });

  it("refuse a base domain under which two services would share a name", async () => {
    const { ctx, one, project } = await setup();
    await git(ctx, project.slug, "staging", "web", { hostId: one });
    await git(ctx, project.slug, "production", "web", { hostId: one, domains: `web.staging.${project.slug}.example.org` });
    const fields = await conflict(updateHostDeploySettings(ctx, one, { baseDomain: "example.org", buildConcurrency: "2" }));
    expect(fields.baseDomain?.[0]).toMatch(
      new RegExp(
        `^With example\\.org, web\\.staging\\.${project.slug}\\.example\\.org would be routed to both .*/(staging|production)/web and .*/(staging|production)/web\\.$`,
      ),
    );
    expect((await db.host.findUniqueOrThrow({ where: { id: one } })).baseDomain).toBe("localhost");
    await updateHostDeploySettings(ctx, one, { baseDomain: "example.net", buildConcurrency: "2" });
  });

  it("belong to each host's own team: another team uses the same names on its hosts, and cannot place a service on this one", async () => {
    const a = await setup();
    const b = await setup();
    await git(a.ctx, a.project.slug, "staging", "web", { hostId: a.one, domains: "shared.example.com" });
    await git(b.ctx, b.project.slug, "staging", "web", { hostId: b.one, domains: "shared.example.com" });
    await expect(git(b.ctx, b.project.slug, "production", "web", { hostId: a.one, domains: "other.example.com" })).rejects.toBeInstanceOf(NotFoundError);
    // The machine's own host belongs to one team too (the instance's first); no other team can choose it.
    const local = await db.host.findFirst({ where: { isLocal: true }, select: { id: true, teamId: true } });
    if (local && local.teamId !== b.ctx.team.id) {
      await expect(git(b.ctx, b.project.slug, "production", "web", { hostId: local.id })).rejects.toBeInstanceOf(NotFoundError);
    }
  });
});
