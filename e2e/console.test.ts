// The live console in a real browser: add a host, run its agent, watch a container started and stopped
// with the docker CLI change state without a reload, read its logs, stop it from Berth.
import { execFile, type ChildProcess } from "node:child_process";
import { promisify } from "node:util";
import Dockerode from "dockerode";
import { afterAll, describe, expect, it } from "vitest";
import { ensureFixtureImage, FIXTURE_IMAGE, removeTestContainers, testLabelArgs } from "../tests/support/fixture-image";
import { createTeam, inviteLink, joinAsNewUser, newPage, screenshot, signUp, uniqueEmail, useBrowser } from "./support/browser";
import { addHostWithAgent } from "./support/host";

const run = promisify(execFile);
const docker = new Dockerode();
const browser = useBrowser();
let agent: ChildProcess | undefined;

afterAll(async () => {
  agent?.kill("SIGTERM");
  await removeTestContainers(docker);
});

describe("live container console", () => {
  it("follows docker CLI changes live, shows logs, and acts on containers", async () => {
    await ensureFixtureImage(docker);
    const page = await newPage(browser());
    await signUp(page, { name: "Console Admin", email: uniqueEmail("console") });
    const slug = await createTeam(page, `Console ${Date.now().toString(36)}`);

    // The host turns online on the page by itself.
    agent = await addHostWithAgent(page, slug, "e2e-host");
    await screenshot(page, "30-hosts");
    await page.getByTestId("hosts").getByRole("link", { name: "e2e-host" }).click();
    await page.waitForURL(/\/hosts\/[^/]+$/);
    await page.locator('[data-testid="live-status"][data-connected="true"]').waitFor();
    const hostUrl = new URL(page.url()).pathname;

    const name = `e2e-web-${Date.now().toString(36)}`;
    await run("docker", [
      "run",
      "-d",
      "--name",
      name,
      ...testLabelArgs(),
      "--stop-timeout",
      "1",
      FIXTURE_IMAGE,
      "sh",
      "-c",
      "echo hello-from-the-console; sleep 3600",
    ]);
    const row = page.getByTestId(`container-${name}`);
    await row.locator('[data-testid="container-state"][data-state="running"]').waitFor();

    // Stopped outside Berth: the row changes without a reload.
    await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));
    await run("docker", ["stop", name]);
    await row.locator('[data-testid="container-state"][data-state="exited"]').waitFor();
    expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true); // no reload happened
    await screenshot(page, "31-host-containers");

    // Start it from Berth, then read its logs on the container page.
    await row.getByRole("button", { name: "Start" }).click();
    await row.locator('[data-testid="container-state"][data-state="running"]').waitFor();
    expect((await docker.getContainer(name).inspect()).State.Running).toBe(true);
    await row.getByRole("link", { name }).click();
    await page.getByTestId("logs").getByText("hello-from-the-console").first().waitFor();
    await page.getByTestId("env").waitFor();

    // A shell in the container, through the browser.
    await page.getByRole("button", { name: "Open terminal" }).click();
    await page.getByTestId("terminal-status").getByText("Connected").waitFor();
    await page.getByTestId("terminal").click();
    await page.keyboard.type("echo berth-$((6*7))");
    await page.keyboard.press("Enter");
    await page.getByTestId("terminal").getByText("berth-42").first().waitFor();
    await screenshot(page, "32-container");
    await page.goto(`/t/${slug}/settings/audit?action=container.exec`);
    await page.getByTestId("audit-events").getByText("container.exec").first().waitFor();

    // A viewer sees the same console without action buttons, environment values or a terminal.
    const viewer = await joinAsNewUser(browser(), await inviteLink(page, slug, uniqueEmail("consoleviewer"), "VIEWER"), slug, "Vic Viewer");
    await viewer.goto(hostUrl);
    const viewerRow = viewer.getByTestId(`container-${name}`);
    await viewerRow.locator('[data-testid="container-state"][data-state="running"]').waitFor();
    expect(await viewerRow.getByRole("button").count()).toBe(0);
    await viewerRow.getByRole("link", { name }).click();
    await viewer.getByTestId("logs").getByText("hello-from-the-console").first().waitFor();
    expect(await viewer.getByRole("button", { name: "Reveal values" }).count()).toBe(0);
    expect(await viewer.getByRole("button", { name: "Open terminal" }).count()).toBe(0);
  });
});
