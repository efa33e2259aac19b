// Shared configuration in the browser, with two team members in two browser contexts: one sets a staging
// variable and a secret, the other sees the variable and the secret only as set and masked; production is
// protected from developers in the page and by the server; history restores an earlier value.
import type { ChildProcess } from "node:child_process";
import Dockerode from "dockerode";
import { afterAll, describe, expect, it } from "vitest";
import { ensureFixtureImage, FIXTURE_IMAGE } from "../tests/support/fixture-image";
import { createTeam, inviteLink, joinAsNewUser, newPage, screenshot, signUp, uniqueEmail, useBrowser } from "./support/browser";
import { addHostWithAgent } from "./support/host";

const browser = useBrowser();
const docker = new Dockerode();
let agent: ChildProcess | undefined;
let serviceLabel = "";
// Its own project name: containers and networks are named after project slugs, and other runs use Docker too.
const project = `web-shop-${Date.now().toString(36)}`;

afterAll(async () => {
  agent?.kill("SIGTERM");
  if (serviceLabel) {
    for (const c of await docker.listContainers({ all: true, filters: { label: [serviceLabel] } })) await docker.getContainer(c.Id).remove({ force: true });
  }
  await docker
    .getNetwork(`berth-${project}-production`)
    .remove()
    .catch(() => {});
});

describe("shared configuration", () => {
  it("shares variables, masks secrets, protects production, restores history", async () => {
    const owner = await newPage(browser());
    await signUp(owner, { name: "Config Owner", email: uniqueEmail("cfgowner") });
    const slug = await createTeam(owner, `Config ${Date.now().toString(36)}`);
    await owner.goto(`/t/${slug}/projects`);
    await owner.getByLabel("Name").fill(project);
    await owner.getByRole("button", { name: "Create project" }).click();
    await owner.waitForURL(`**/t/${slug}/projects/${project}`);
    await owner.getByTestId("environments").getByText("production").waitFor();

    // A host, and a service running in production.
    await ensureFixtureImage(docker);
    agent = await addHostWithAgent(owner, slug, "config-host");
    await owner.goto(`/t/${slug}/projects/${project}/production`);
    await owner.getByText("Add a service from an image").click();
    const add = owner.getByTestId("add-image-service");
    await add.getByLabel("Name", { exact: true }).fill("api");
    await add.getByLabel("Image", { exact: true }).fill(FIXTURE_IMAGE);
    await add.getByLabel(/^Command/).fill("sleep\n3600");
    await add.getByRole("button", { name: "Add service" }).click();
    const service = owner.getByTestId("service-api");
    // Deploying queues a deployment; the card follows it live until the release serves.
    await service.getByRole("button", { name: "Deploy" }).click();
    await service.getByRole("button", { name: "Redeploy" }).waitFor({ timeout: 30_000 });
    await service.getByTestId("live-release").getByText("live #1").waitFor();
    const [deployed] = await docker.listContainers({ filters: { label: [`berth.project=${project}`, "berth.service=api", "berth.environment=production"] } });
    serviceLabel = `berth.service.id=${deployed!.Labels["berth.service.id"]}`;

    // A developer joins.
    const dev = await joinAsNewUser(browser(), await inviteLink(owner, slug, uniqueEmail("cfgdev"), "DEVELOPER"), slug, "Dana Dev");

    // The developer sets a staging variable and a secret.
    await dev.goto(`/t/${slug}/projects/${project}/staging`);
    const setVar = async (key: string, value: string, secret = false) => {
      await dev.getByLabel("Key", { exact: true }).fill(key);
      await dev.getByLabel("Value", { exact: true }).fill(value);
      if (secret) await dev.getByLabel("Secret").check();
      await dev.getByRole("button", { name: "Save" }).click();
      await dev.getByTestId(`var-${key}`).waitFor();
    };
    await setVar("LOG_LEVEL", "debug");
    await setVar("STRIPE_KEY", "sk_live_do_not_leak", true);
    expect(await dev.getByTestId("var-STRIPE_KEY").textContent()).not.toContain("sk_live_do_not_leak");

    // The owner, in another context, sees the variable and the secret only as set.
    await owner.goto(`/t/${slug}/projects/${project}/staging`);
    expect(await owner.getByTestId("var-LOG_LEVEL").textContent()).toContain("debug");
    const secretRow = (await owner.getByTestId("var-STRIPE_KEY").textContent()) ?? "";
    expect(secretRow).toContain("secret");
    expect(await owner.content()).not.toContain("sk_live_do_not_leak");
    await screenshot(owner, "40-environment-variables");

    // Compare staging with production and promote LOG_LEVEL: the production service shows the change staged.
    await owner.goto(`/t/${slug}/projects/${project}/compare?a=staging&b=production`);
    expect(await owner.getByTestId("cmp-STRIPE_KEY").textContent()).not.toContain("sk_live");
    await owner.getByLabel("Promote LOG_LEVEL").check();
    await owner.getByRole("button", { name: "Promote selected to production" }).click();
    await owner.getByText("Promoted 1 key to production.").waitFor();
    await screenshot(owner, "43-compare");
    await owner.goto(`/t/${slug}/projects/${project}/production`);
    await owner.getByTestId("service-api").getByTestId("staged").getByText("+ LOG_LEVEL").waitFor();
    await screenshot(owner, "44-staged-change");
    await owner.getByRole("button", { name: "Redeploy it" }).click();
    // Once applied, nothing is staged any more (the banner goes with it).
    await owner.getByTestId("staged").waitFor({ state: "detached", timeout: 30_000 });
    await owner.getByTestId("service-api").getByTestId("live-release").getByText("live #2").waitFor();
    // The new release's container (the old one is being retired beside it).
    const running = (await docker.listContainers({ filters: { label: [serviceLabel] } })).find(
      (c) => c.Labels["berth.deployment.id"] !== deployed!.Labels["berth.deployment.id"],
    );
    const info = await docker.getContainer(running!.Id).inspect();
    expect(info.Config.Env).toContain("LOG_LEVEL=debug");

    // Production is protected: no form for the developer, and the server refuses a forged submit.
    await dev.goto(`/t/${slug}/projects/${project}/production`);
    await dev.getByText("This environment is protected").waitFor();
    expect(await dev.getByRole("button", { name: "Save" }).count()).toBe(0);
    await screenshot(dev, "41-protected-production");
    await dev.goto(`/t/${slug}/projects/${project}/staging`);
    // Point the staging form at production, as a hand-made request would, and submit it in the same
    // moment: a live refresh of the page in between would put staging back.
    await dev.getByLabel("Key", { exact: true }).fill("SNEAKY");
    await dev.getByLabel("Value", { exact: true }).fill("1");
    const forged = await dev.getByLabel("Key", { exact: true }).evaluate((key: HTMLInputElement) => {
      const form = key.form!;
      const env = form.querySelector<HTMLInputElement>('input[name="env"]');
      if (env) env.value = "production";
      form.requestSubmit();
      return Boolean(env);
    });
    expect(forged).toBe(true);
    await dev.getByText("production is protected").waitFor();

    // History: change LOG_LEVEL, then restore the earlier value in one click.
    await dev.goto(`/t/${slug}/projects/${project}/staging`);
    await setVar("LOG_LEVEL", "info");
    await dev.getByTestId("var-LOG_LEVEL").getByRole("link", { name: "History" }).click();
    await dev.getByTestId("history").getByText("debug").waitFor();
    await dev.getByRole("button", { name: "Restore" }).first().click();
    await dev.getByText("LOG_LEVEL restored.").waitFor();
    await screenshot(dev, "42-variable-history");
    await dev.goto(`/t/${slug}/projects/${project}/staging`);
    expect(await dev.getByTestId("var-LOG_LEVEL").textContent()).toContain("debug");
  });
});
