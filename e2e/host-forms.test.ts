// The host forms (server actions made from the hosts operations) in a real browser: reveal a container's
// environment, rename a host (a refused empty name first), change its deploy settings (a refused value is
// kept in the field), make a new install command for a pending host, and remove it.
import { execFile, type ChildProcess } from "node:child_process";
import { promisify } from "node:util";
import Dockerode from "dockerode";
import { afterAll, describe, expect, it } from "vitest";
import { ensureFixtureImage, FIXTURE_IMAGE, removeTestContainers, testLabelArgs } from "../tests/support/fixture-image";
import { createTeam, newPage, signUp, uniqueEmail, useBrowser } from "./support/browser";
import { addHostWithAgent } from "./support/host";

const run = promisify(execFile);
const docker = new Dockerode();
const browser = useBrowser();
let agent: ChildProcess | undefined;
afterAll(async () => {
  agent?.kill("SIGTERM");
  await removeTestContainers(docker);
});

describe("host forms", () => {
  it("reveal, rename, deploy settings, new install command, remove", async () => {
    await ensureFixtureImage(docker);
    const page = await newPage(browser());
    await signUp(page, { name: "Forms Admin", email: uniqueEmail("forms") });
    const slug = await createTeam(page, `Forms ${Date.now().toString(36)}`);
    agent = await addHostWithAgent(page, slug, "forms-host");
    await page.getByTestId("hosts").getByRole("link", { name: "forms-host" }).click();
    await page.waitForURL(/\/hosts\/[^/]+$/);
    const hostUrl = new URL(page.url()).pathname;
    const name = `forms-${Date.now().toString(36)}`;
    await run("docker", ["run", "-d", "--name", name, ...testLabelArgs(), "-e", "FORM_SECRET=value-42", FIXTURE_IMAGE, "sleep", "3600"]);
    await page.getByTestId(`container-${name}`).getByRole("link", { name }).click();
    await page.getByRole("button", { name: "Reveal values" }).click();
    await page.getByTestId("env").getByText("value-42").waitFor();
    await page.getByTestId("stats").waitFor();

    await page.goto(`${hostUrl}/settings`);
    await page.getByLabel("Name", { exact: true }).fill("");
    await page.getByRole("button", { name: "Rename" }).click();
    await page.getByText("Enter a name.").waitFor();
    await page.getByLabel("Name", { exact: true }).fill("renamed-host");
    await page.getByRole("button", { name: "Rename" }).click();
    await page.getByText("Host renamed.").waitFor();
    await page.getByLabel("Deployments at once").fill("99");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("At most 16.").waitFor();
    expect(await page.getByLabel("Deployments at once").inputValue()).toBe("99");
    await page.getByLabel("Deployments at once").fill("3");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Saved. Service URLs change").waitFor();
    await page.reload();
    expect(await page.getByLabel("Deployments at once").inputValue()).toBe("3");
    await page.locator("h1", { hasText: "renamed-host" }).waitFor();

    // A second host, pending: a new install command, then removed.
    await page.goto(`/t/${slug}/hosts`);
    await page.getByLabel("Name").fill("pending-host");
    await page.getByRole("button", { name: "Add host" }).click();
    const first = await page.getByTestId("agent-command").inputValue();
    await page.getByRole("link", { name: "Open pending-host" }).click();
    await page.waitForURL(/\/hosts\/[^/]+$/);
    await page
      .getByRole("button", { name: /install command/i })
      .first()
      .click();
    await page.getByText("A new install command; the earlier one no longer works.").waitFor();
    expect(await page.getByTestId("agent-command").inputValue()).not.toBe(first);
    await page.goto(`${new URL(page.url()).pathname}/settings`);
    page.once("dialog", (d) => void d.accept());
    await page.getByRole("button", { name: "Remove pending-host" }).click();
    await page.waitForURL(new RegExp(`/t/${slug}/hosts$`));
    expect(await page.getByTestId("hosts").getByRole("link", { name: "pending-host" }).count()).toBe(0);
  });
});
