// Notifications in the browser: an owner adds a webhook channel to a receiver on this machine (refused until
// private networks are allowed), copies its signing secret (shown once), adds a rule for failed deployments,
// deploys a service whose container exits at once, and sees the delivery listed as delivered, with the
// receiver holding a request whose signature an independent Standard Webhooks implementation accepts. Then
// Resend and Send test, and a developer's read-only view.
import type { ChildProcess } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import Dockerode from "dockerode";
import type { Page } from "playwright-core";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureFixtureImage, FIXTURE_IMAGE } from "../tests/support/fixture-image";
import { createTeam, inviteLink, joinAsNewUser, newPage, screenshot, signUp, uniqueEmail, useBrowser } from "./support/browser";
import { addHostWithAgent } from "./support/host";

const browser = useBrowser();
const docker = new Dockerode();
const project = `notify-${Date.now().toString(36)}`;
let agent: ChildProcess | undefined;

type Received = { headers: Record<string, string>; body: string };
const received: Received[] = [];
let receiver: http.Server;
let receiverUrl = "";

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ headers: req.headers as Record<string, string>, body: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(202, { "content-type": "text/plain" }).end("thanks from the receiver");
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/berth-e2e-path`;
});

afterAll(async () => {
  agent?.kill("SIGTERM");
  await new Promise((r) => receiver?.close(r));
  for (const c of await docker.listContainers({ all: true, filters: { label: [`berth.project=${project}`] } })) {
    await docker
      .getContainer(c.Id)
      .remove({ force: true })
      .catch(() => {});
  }
  await docker
    .getNetwork(`berth-${project}-production`)
    .remove()
    .catch(() => {});
});

/** Reloads the deliveries page until a row of `event` shows `status` (the sender works in the control worker). */
async function waitForDelivery(page: Page, path: string, event: string, status: string, count = 1) {
  const rows = page.getByTestId("deliveries").locator("tr", { has: page.getByTestId("delivery-event").getByText(event, { exact: true }) });
  const until = Date.now() + 90_000;
  for (;;) {
    await page.goto(path);
    const statuses = await rows.getByTestId("delivery-status").allTextContents();
    if (statuses.filter((s) => s.startsWith(status)).length >= count) return rows;
    if (Date.now() > until) throw new Error(`no ${count} ${event} delivery ${status}: ${JSON.stringify(statuses)}`);
    await page.waitForTimeout(1000);
  }
}

describe("notifications", () => {
  it("configures a webhook channel, and lists the delivery of a failed deployment", async () => {
    const owner = await newPage(browser());
    await signUp(owner, { name: "Nora Notify", email: uniqueEmail("notify") });
    const slug = await createTeam(owner, `Notify ${Date.now().toString(36)}`);
    const settings = `/t/${slug}/settings/notifications`;

    // The settings nav leads to an empty page that says what to do.
    await owner.goto(`/t/${slug}/settings`);
    await owner.getByRole("link", { name: "Notifications" }).click();
    await owner.waitForURL(`**${settings}`);
    await owner.getByText("No channels yet").waitFor();
    await screenshot(owner, "80-notifications-empty");

    // A receiver on this machine is refused until private networks are allowed.
    const add = owner.getByTestId("add-channel");
    await add.getByLabel("Name", { exact: true }).fill("deploy-alerts");
    await add.getByLabel("URL", { exact: true }).fill(receiverUrl);
    await add.getByRole("button", { name: "Add channel" }).click();
    const refused = add.locator("#f-url-error");
    await refused.waitFor();
    expect(await refused.textContent()).toMatch(/127\.0\.0\.1.*an admin can allow private networks for this channel/);
    await screenshot(owner, "81-notifications-refused-address");
    await add.getByLabel("Allow private networks").check();
    await add.getByRole("button", { name: "Add channel" }).click();
    const secretField = owner.getByTestId("signing-secret-value");
    await secretField.waitFor();
    const secret = await secretField.inputValue();
    expect(secret).toMatch(/^whsec_/);
    await screenshot(owner, "82-notifications-signing-secret");

    // The channel shows the receiver's origin only, and asks for a rule.
    const channel = owner.getByTestId("channel-deploy-alerts");
    expect(await channel.getByTestId("channel-target").textContent()).toContain(new URL(receiverUrl).origin);
    expect(await owner.content()).not.toContain("berth-e2e-path");
    await channel.getByTestId("no-rules").waitFor();
    const newRule = channel.locator("form[data-testid^='new-rule-']");
    // Crash thresholds appear only with crash loops chosen.
    expect(await newRule.getByTestId("crash-thresholds").count()).toBe(0);
    await newRule.getByLabel("Container crash-looping").check();
    await newRule.getByTestId("crash-thresholds").waitFor();
    await screenshot(owner, "83-notifications-rule-editor");
    await newRule.getByLabel("Container crash-looping").uncheck();
    expect(await newRule.getByLabel("Deployment failed").isChecked()).toBe(true);
    await newRule.getByRole("button", { name: "Add rule" }).click();
    await channel.getByTestId("rules").getByText("Deployment failed: the whole team").waitFor();
    await screenshot(owner, "84-notifications-channel");

    // A service whose container exits at once: its deployment fails.
    await owner.goto(`/t/${slug}/projects`);
    await owner.getByLabel("Name").fill(project);
    await owner.getByRole("button", { name: "Create project" }).click();
    await owner.waitForURL(`**/t/${slug}/projects/${project}`);
    await ensureFixtureImage(docker);
    agent = await addHostWithAgent(owner, slug, "notify-host");
    await owner.goto(`/t/${slug}/projects/${project}/production`);
    await owner.getByText("Add a service from an image").click();
    const service = owner.getByTestId("add-image-service");
    await service.getByLabel("Name", { exact: true }).fill("crasher");
    await service.getByLabel("Image", { exact: true }).fill(FIXTURE_IMAGE);
    await service.getByLabel(/^Command/).fill("sh\n-c\nexit 3");
    await service.getByRole("button", { name: "Add service" }).click();
    await owner.getByTestId("service-crasher").getByRole("button", { name: "Deploy" }).click();

    // The delivery is listed, and becomes DELIVERED once the control worker has posted it to the receiver.
    const deliveries = `${settings}/deliveries`;
    const rows = await waitForDelivery(owner, deliveries, "Deployment failed", "Delivered");
    const row = rows.first();
    expect(await row.getByTestId("delivery-attempts").textContent()).toBe("1");
    expect(await row.textContent()).toContain("HTTP 202");
    expect(await row.textContent()).toContain("thanks from the receiver");
    expect(await row.textContent()).toContain("deploy-alerts");
    const link = await row.getByTestId("delivery-link").getAttribute("href");
    expect(link).toMatch(new RegExp(`/t/${slug}/`));
    await screenshot(owner, "85-notifications-deliveries");

    const failed = received.filter((r) => r.body.includes("deployment.failed"));
    expect(failed).toHaveLength(1);
    const payload = new Webhook(secret).verify(failed[0]!.body, failed[0]!.headers) as Record<string, unknown>;
    expect(JSON.stringify(payload)).toContain("crasher");
    expect(JSON.stringify(payload)).toContain(project);

    // Resend: the same message again, with the same webhook-id.
    await row.getByRole("button", { name: "Resend" }).click();
    await owner.getByText("Sending again to deploy-alerts").waitFor();
    const until = Date.now() + 30_000;
    while (received.filter((r) => r.body.includes("deployment.failed")).length < 2 && Date.now() < until) await owner.waitForTimeout(250);
    await waitForDelivery(owner, deliveries, "Deployment failed", "Delivered");
    const both = received.filter((r) => r.body.includes("deployment.failed"));
    expect(both).toHaveLength(2);
    expect(both[1]!.headers["webhook-id"]).toBe(both[0]!.headers["webhook-id"]);

    // Send test from the channel.
    await owner.goto(settings);
    await owner.getByTestId("channel-deploy-alerts").getByRole("button", { name: "Send test" }).click();
    await owner.getByText("Test message queued for deploy-alerts").waitFor();
    await waitForDelivery(owner, deliveries, "Test notification", "Delivered");

    // A developer sees channels and deliveries, without the buttons that change them.
    const dev = await joinAsNewUser(browser(), await inviteLink(owner, slug, uniqueEmail("notifydev"), "DEVELOPER"), slug, "Dev Reader");
    await dev.goto(settings);
    await dev.getByTestId("channel-deploy-alerts").waitFor();
    expect(await dev.getByRole("button", { name: "Send test" }).count()).toBe(0);
    expect(await dev.getByTestId("add-channel").count()).toBe(0);
    await dev.goto(deliveries);
    await dev.getByTestId("deliveries").waitFor();
    expect(await dev.getByRole("button", { name: "Resend" }).count()).toBe(0);
    await screenshot(dev, "86-notifications-developer");
  }, 240_000);
});
