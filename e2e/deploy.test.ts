// One-click git deploys in a real browser: create a git service, deploy, watch the steps and the log live
// (and the log again after a reload), open the service's URL, deploy a new commit, roll back.
import type { ChildProcess } from "node:child_process";
import { createHmac, randomUUID } from "node:crypto";
import Dockerode from "dockerode";
import type { Page } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { ensureFixtureImage } from "../tests/support/fixture-image";
import { HTTPD_DOCKERFILE, makeBareRepo } from "../tests/support/git-repo";
import { proxyGet } from "../tests/support/proxy-http";
import { createTeam, newPage, screenshot, signUp, uniqueEmail, useBrowser } from "./support/browser";
import { addHostWithAgent } from "./support/host";
import { imageRepository, routeId } from "../lib/deploy/names";
import { createProxy } from "../workers/agent/proxy/caddy";

const docker = new Dockerode();
const browser = useBrowser();
let agent: ChildProcess | undefined;
let repo: Awaited<ReturnType<typeof makeBareRepo>> | undefined;
let hostLabel = "";
const serviceIds: string[] = [];
let network = "";

afterAll(async () => {
  agent?.kill("SIGTERM");
  if (hostLabel) {
    for (const c of await docker.listContainers({ all: true, filters: { label: [hostLabel] } }))
      await docker
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => {});
  }
  for (const id of serviceIds) {
    await createProxy()
      .removeRoute(routeId(id))
      .catch(() => {});
    for (const img of await docker.listImages({ filters: { reference: [`${imageRepository(id)}:*`] } })) {
      for (const tag of img.RepoTags ?? [])
        await docker
          .getImage(tag)
          .remove()
          .catch(() => {});
    }
  }
  if (network)
    await docker
      .getNetwork(network)
      .remove()
      .catch(() => {});
  repo?.remove();
});

/** The service whose page is open (its id ends the webhook URL), remembered for cleanup. */
async function rememberService(page: Page) {
  serviceIds.push((await page.getByTestId("webhook-url").textContent())!.trim().split("/").at(-1)!);
}

async function waitLive(page: Page) {
  await page.locator('[data-testid="deployment-status"][data-status="LIVE"]').waitFor({ timeout: 60_000 });
}

/** What the service's URL serves, asked of the proxy directly (Node does not resolve *.localhost; Chromium does). */
const served = (_page: Page, url: string) => proxyGet(new URL(url).hostname);

describe("git deploys", () => {
  it("creates a git service, deploys it watching steps and log, opens its URL, and rolls back", async () => {
    await ensureFixtureImage(docker);
    repo = await makeBareRepo();
    await repo.commit({ Dockerfile: HTTPD_DOCKERFILE, "site/index.html": "<h1>release one</h1>\n" }, "first release");

    const page = await newPage(browser());
    page.on("dialog", (d) => void d.accept());
    await signUp(page, { name: "Deploy Owner", email: uniqueEmail("deploy") });
    const slug = await createTeam(page, `Deploy ${Date.now().toString(36)}`);
    agent = await addHostWithAgent(page, slug, "deploy-host");
    const hostId = new URL((await page.getByTestId("hosts").getByRole("link", { name: "deploy-host" }).getAttribute("href"))!, "http://x").pathname
      .split("/")
      .at(-1)!;
    hostLabel = `berth.host.id=${hostId}`;

    const project = `shop-${Date.now().toString(36)}`;
    network = `berth-${project}-staging`;
    await page.goto(`/t/${slug}/projects`);
    await page.getByLabel("Name").fill(project);
    await page.getByRole("button", { name: "Create project" }).click();
    await page.waitForURL(`**/t/${slug}/projects/${project}`);

    // The git service, from the environment page.
    await page.goto(`/t/${slug}/projects/${project}/staging`);
    const form = page.getByTestId("add-git-service");
    await form.getByLabel("Name", { exact: true }).fill("web");
    await form.getByLabel("Repository URL").fill(repo.url);
    await form.getByLabel("Branch").fill("main");
    await form.getByLabel("Port", { exact: true }).fill("8080");
    await form.getByLabel("Health check path").fill("/");
    await screenshot(page, "60-add-git-service");
    await form.getByRole("button", { name: "Add git service" }).click();
    await page.waitForURL(`**/projects/${project}/staging/services/web`);
    await rememberService(page);
    const url = `http://web.staging.${project}.localhost/`;
    await page.getByTestId("service-urls").getByText(url).waitFor();

    // Deploy: the deployment page shows the steps and the log while it runs.
    await page.getByRole("button", { name: "Deploy main" }).click();
    await page.waitForURL(/\/deployments\/[a-z0-9]+$/);
    const first = page.url();
    await page.getByTestId("deployment-steps").waitFor();
    await page.getByTestId("deploy-log").getByText("git clone --depth 1", { exact: false }).waitFor();
    await waitLive(page);
    await page.getByTestId("deploy-log").getByText("Traffic for", { exact: false }).waitFor();
    await page.locator('[data-testid="log-state"][data-state="ended"]').waitFor();
    expect(await page.locator('[data-step="BUILDING"][data-state="done"]').count()).toBe(1);
    expect(await page.getByTestId("commit").textContent()).toContain("first release");
    await screenshot(page, "61-deployment-live");

    // A reload reads the whole log again.
    const before = await page.getByTestId("deploy-log").textContent();
    await page.reload();
    await page.locator('[data-testid="log-state"][data-state="ended"]').waitFor();
    expect(await page.getByTestId("deploy-log").textContent()).toBe(before);

    // The service answers at its URL.
    expect(await page.getByTestId("live-url").getAttribute("href")).toBe(url);
    expect(await served(page, url)).toEqual({ status: 200, body: "<h1>release one</h1>\n" });
    const site = await page.context().newPage();
    await site.goto(url);
    await site.getByRole("heading", { name: "release one" }).waitFor();
    await site.close();

    // A new commit, deployed from the service page.
    await repo.commit({ "site/index.html": "<h1>release two</h1>\n" }, "second release");
    await page.goto(`/t/${slug}/projects/${project}/staging/services/web`);
    await page.getByRole("button", { name: "Deploy main" }).click();
    await page.waitForURL((u) => u.toString() !== first && /\/deployments\/[a-z0-9]+$/.test(u.pathname));
    await waitLive(page);
    expect(await served(page, url)).toEqual({ status: 200, body: "<h1>release two</h1>\n" });

    // Roll back to #1 from the service's deployments.
    await page.goto(`/t/${slug}/projects/${project}/staging/services/web`);
    await page.getByTestId("deployments").locator("tr[data-number='2']").getByText("serving").waitFor();
    await screenshot(page, "62-service-page");
    await page.getByRole("button", { name: "Roll back to #1" }).click();
    await page.waitForURL(/\/deployments\/[a-z0-9]+$/);
    await waitLive(page);
    await screenshot(page, "63-rollback-live");
    expect(await served(page, url)).toEqual({ status: 200, body: "<h1>release one</h1>\n" });
    await page.goto(`/t/${slug}/projects/${project}/staging`);
    await page.getByTestId("service-web").getByText("live #3", { exact: false }).waitFor();
    await screenshot(page, "64-environment-with-git-service");

    // Auto-deploy: the webhook secret from the page signs a GitHub-style push to the webhook URL.
    await page.goto(`/t/${slug}/projects/${project}/staging/services/web`);
    const hook = (await page.getByTestId("webhook-url").textContent())!.trim();
    // Hydrated (its live stream is open): a click before that would post the form without its client state.
    await page.locator('[data-testid="live-status"][data-connected="true"]').waitFor();
    await page.getByRole("button", { name: "Show secret" }).click();
    const secret = await page.getByTestId("webhook-secret").inputValue();
    const sha = await repo.commit({ "site/index.html": "<h1>release four</h1>\n" }, "pushed release");
    const body = JSON.stringify({ ref: "refs/heads/main", after: sha });
    const sign = (key: string) => `sha256=${createHmac("sha256", key).update(body).digest("hex")}`;
    const push = (signature: string, type = "application/json") =>
      fetch(hook, {
        method: "POST",
        headers: { "content-type": type, "x-github-event": "push", "x-github-delivery": randomUUID(), "x-hub-signature-256": signature },
        body,
      });
    expect((await push(sign("wrong"))).status).toBe(401);
    expect((await push(sign(secret), "application/x-www-form-urlencoded")).status).toBe(415);
    const accepted = await push(sign(secret));
    expect(accepted.status).toBe(201);
    const { deployment } = (await accepted.json()) as { deployment: string };
    // A fresh tab: the service page is busy refreshing itself on the push's live updates.
    const pushed = await page.context().newPage();
    await pushed.goto(`/t/${slug}/deployments/${deployment}`);
    await waitLive(pushed);
    expect(await pushed.getByTestId("commit").textContent()).toContain("pushed release");
    expect(await served(pushed, url)).toEqual({ status: 200, body: "<h1>release four</h1>\n" });

    // The JSON API: deployments of the service, and nothing without a session.
    const serviceId = hook.split("/").at(-1)!;
    const list = await pushed.request.get(`/api/v1/teams/${slug}/services/${serviceId}/deployments`);
    expect(((await list.json()) as { deployments: { number: number }[] }).deployments.map((d) => d.number)).toEqual([4, 3, 2, 1]);
    expect((await fetch(new URL(`/api/v1/teams/${slug}/deployments/${deployment}`, pushed.url()))).status).toBe(401);

    // Cancel a deployment mid-build from its page: the build stops and nothing of it is left.
    await repo.commit({ Dockerfile: `${HTTPD_DOCKERFILE.split("\n")[0]}\nRUN echo compiling-slowly && sleep 60\n` }, "slow build", "slow");
    await page.goto(`/t/${slug}/projects/${project}/staging`);
    await page.getByText("Add a service from a git repository").click();
    const more = page.getByTestId("add-git-service");
    await more.getByLabel("Name", { exact: true }).fill("slow");
    await more.getByLabel("Repository URL").fill(repo.url);
    await more.getByLabel("Branch").fill("slow");
    await more.getByLabel("Port", { exact: true }).fill("8080");
    await more.getByRole("button", { name: "Add git service" }).click();
    await page.waitForURL(`**/staging/services/slow`);
    await rememberService(page);
    await page.getByRole("button", { name: "Deploy slow" }).click();
    await page.waitForURL(/\/deployments\/[a-z0-9]+$/);
    const slowId = page.url().split("/").at(-1)!;
    await page.getByTestId("deploy-log").getByText("compiling-slowly", { exact: false }).waitFor({ timeout: 30_000 });
    await page.locator('[data-step="BUILDING"][data-state="running"]').waitFor();
    await screenshot(page, "65-deployment-building");
    await page.getByRole("button", { name: "Cancel" }).click();
    await page.locator('[data-testid="deployment-status"][data-status="CANCELLED"]').waitFor({ timeout: 20_000 });
    await page.getByTestId("deploy-log").getByText("Cancelled: nothing of this deployment is left running.").waitFor();
    await screenshot(page, "66-deployment-cancelled");
    expect(await docker.listContainers({ all: true, filters: { label: [`berth.deployment.id=${slowId}`] } })).toEqual([]);
  }, 240_000);
});
