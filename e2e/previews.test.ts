// Pull request previews in the browser: turn them on for a git service, allow one secret in previews, set
// one's git username, then a fork's pull request arrives (GitHub's real payload, signed, on the service's
// webhook) and waits on the project's environment list until the owner approves its exact commit.
import { createHmac, randomUUID } from "node:crypto";
import examples from "@octokit/webhooks-examples/api.github.com/index.json";
import { describe, expect, it } from "vitest";
import { resolveTeamContext } from "@/lib/data/context";
import { createGitService, revealWebhookSecret } from "@/lib/data/git-services";
import { createHost } from "@/lib/data/hosts";
import { createProject } from "@/lib/data/projects";
import { setVariable } from "@/lib/data/variables";
import { db } from "@/lib/db";
import { baseUrl, createTeam, newPage, screenshot, signUp, uniqueEmail, useBrowser } from "./support/browser";

// biome-ignore lint/suspicious/noExplicitAny: GitHub's payload, edited field by field
type Json = Record<string, any>;
const browser = useBrowser();

describe("pull request previews", () => {
  it("are turned on, given one secret, and a fork's pull request waits for its commit's approval", async () => {
    const page = await newPage(browser());
    page.on("dialog", (d) => void d.accept());
    const email = uniqueEmail("previews");
    await signUp(page, { name: "Preview Owner", email });
    const slug = await createTeam(page, `Previews ${Date.now().toString(36)}`);
    const user = await db.user.findUniqueOrThrow({ where: { email }, select: { id: true, email: true, name: true } });
    const ctx = await resolveTeamContext(user, slug);
    const project = await createProject(ctx, { name: `shop-${Date.now().toString(36)}` });
    // A host that never connects: an approved preview's deployment waits in the queue (deploying).
    const host = await createHost(ctx, { name: `previews-${Date.now().toString(36)}` });
    const created = await createGitService(ctx, project.slug, "staging", {
      name: "web",
      gitUrl: "https://github.com/acme/shop.git",
      gitBranch: "main",
      httpPort: "8080",
      hostId: host.id,
    });
    const web = await db.service.findUniqueOrThrow({ where: { id: created.id }, select: { id: true, environmentId: true } });
    await setVariable(ctx, { scope: "ENVIRONMENT", environmentId: web.environmentId }, { key: "STRIPE_KEY", value: "sk_test_1", secret: true });
    await setVariable(ctx, { scope: "ENVIRONMENT", environmentId: web.environmentId }, { key: "DATABASE_URL", value: "postgres://x", secret: true });
    const envPath = `/t/${slug}/projects/${project.slug}/staging`;

    // 1. The service page: previews on, kept 24 hours.
    await page.goto(`${envPath}/services/web`);
    const settings = page.getByTestId("preview-settings");
    await settings.getByText("send pull request events too").waitFor();
    await settings.getByLabel("Deploy a preview for each pull request").check();
    await settings.getByLabel("Time to live (hours)").fill("24");
    await settings.getByRole("button", { name: "Save preview settings" }).click();
    await page.getByText("Saved: pull requests get previews.").waitFor();
    await page.getByText("Commit status token (not set)").waitFor();
    await screenshot(page, "80-preview-settings");
    expect(await db.service.findUniqueOrThrow({ where: { id: web.id }, select: { previewsEnabled: true, previewTtlHours: true } })).toEqual({
      previewsEnabled: true,
      previewTtlHours: 24,
    });

    // 2. The environment: STRIPE_KEY allowed in previews, DATABASE_URL left out.
    await page.goto(envPath);
    await page.getByLabel("Allow STRIPE_KEY in previews").check();
    await page.getByRole("button", { name: "Save allowed secrets" }).click();
    await page.getByText("Saved: previews receive 1 secret.").waitFor();
    await page.getByTestId("preview-secrets").scrollIntoViewIfNeeded();
    await screenshot(page, "81-preview-secrets");
    expect((await db.environment.findUniqueOrThrow({ where: { id: web.environmentId } })).previewSecretKeys).toEqual(["STRIPE_KEY"]);

    // 3. The owner's own git username, on the team settings page; the members page shows it.
    await page.goto(`/t/${slug}/settings`);
    await page.getByLabel("Git usernames").fill("github:preview-owner");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Saved: github:preview-owner.").waitFor();
    await screenshot(page, "82-git-usernames");
    await page.goto(`/t/${slug}/settings/members`);
    await page.getByText("Git usernames: github:preview-owner").click();
    await screenshot(page, "83-members-git-usernames");

    // 4. A pull request from a fork, by someone who is not a member, signed with the service's webhook secret.
    const sha = randomUUID().replaceAll("-", "").slice(0, 20).padEnd(40, "a");
    const body = structuredClone(((examples as Json[]).find((e) => e.name === "pull_request")!.examples as Json[]).find((e) => e.action === "opened")!);
    Object.assign(body, { number: 12 });
    Object.assign(body.pull_request, { number: 12, title: "Add a basket" });
    body.pull_request.base.ref = "main";
    body.pull_request.head.ref = "basket";
    body.pull_request.head.sha = sha;
    body.pull_request.head.repo.id = 424242;
    const raw = JSON.stringify(body);
    const secret = await revealWebhookSecret(ctx, web.id);
    const res = await fetch(`${baseUrl()}/api/hooks/services/${web.id}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-github-event": "pull_request",
        "x-github-delivery": randomUUID(),
        "x-hub-signature-256": `sha256=${createHmac("sha256", secret).update(raw).digest("hex")}`,
      },
      body: raw,
    });
    expect(res.status, await res.clone().text()).toBe(202);

    // 5. The environment list: waiting, a fork, Approve <its commit>.
    await page.goto(`/t/${slug}/projects/${project.slug}`);
    const row = page.getByTestId("preview-12");
    await row.getByText("Add a basket").waitFor();
    expect(await row.getAttribute("data-status")).toBe("waiting");
    await row.getByText("waiting for approval").waitFor();
    await row.getByText("fork", { exact: true }).waitFor();
    await row.getByText(/Approving runs that commit's code with the secrets its base environment allows/).waitFor();
    await screenshot(page, "84-previews-waiting");

    await row.getByRole("button", { name: `Approve ${sha.slice(0, 7)}` }).click();
    await page.locator('[data-testid="preview-12"][data-status="deploying"]').waitFor();
    await expect(row.getByRole("button", { name: /Approve/ }).count()).resolves.toBe(0);
    await screenshot(page, "85-previews-approved");
    expect(await db.preview.findFirstOrThrow({ where: { serviceId: web.id, number: 12 } })).toMatchObject({ approvedSha: sha, status: "deploying" });
  });
});
