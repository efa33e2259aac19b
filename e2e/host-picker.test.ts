// Choosing a service's host in a team with more hosts than a form lists (lib/data/hosts.ts
// HOST_CHOICES_LISTED): the form searches the team's hosts instead of listing them all, in a real browser.
import { afterAll, describe, expect, it } from "vitest";
import { resolveTeamContext } from "@/lib/data/context";
import { addHost, HOST_CHOICES_LISTED } from "@/lib/data/hosts";
import { db } from "@/lib/db";
import { createTeam, newPage, screenshot, signUp, uniqueEmail, useBrowser } from "./support/browser";

const browser = useBrowser();
let teamId = "";
afterAll(async () => {
  if (teamId) await db.host.deleteMany({ where: { teamId } }); // pending hosts only: no agent, no containers
});

describe("a service's host among many", () => {
  it("is searched for and chosen, never listed whole", async () => {
    const page = await newPage(browser());
    const email = uniqueEmail("picker");
    await signUp(page, { name: "Picker Owner", email });
    const slug = await createTeam(page, `Picker ${Date.now().toString(36)}`);
    const user = await db.user.findUniqueOrThrow({ where: { email }, select: { id: true, email: true, name: true } });
    const ctx = await resolveTeamContext(user, slug);
    teamId = ctx.team.id;
    const count = HOST_CHOICES_LISTED + 10;
    for (let i = 1; i <= count; i++) await addHost(ctx, { name: `node-${String(i).padStart(3, "0")}` });

    await page.goto(`/t/${slug}/projects`);
    await page.getByLabel("Name").fill("picker-shop");
    await page.getByRole("button", { name: "Create project" }).click();
    await page.waitForURL(`**/t/${slug}/projects/picker-shop`);
    await page.goto(`/t/${slug}/projects/picker-shop/staging`);
    await page.getByText("Add a service from an image").click();
    const add = page.getByTestId("add-image-service");
    expect(await add.locator("select[name=hostId]").count()).toBe(0); // no list of every host
    expect(await page.content()).not.toContain(`node-${String(count).padStart(3, "0")}`);

    const host = add.getByRole("combobox", { name: "Host" });
    expect(await host.inputValue()).toBe("node-001"); // the first host, as the list would have chosen
    await host.fill("059");
    await add.getByRole("option", { name: /node-059/ }).click();
    expect(await host.inputValue()).toBe("node-059");
    await host.fill("no-such-host");
    await add.getByText("No host matches “no-such-host”.").waitFor();
    await host.fill("node");
    await add.getByText(`10 of ${count}: type more of a name to narrow.`).waitFor();
    await screenshot(page, "48-host-picker");
    await host.press("Escape"); // leaving the search keeps the host chosen
    expect(await host.inputValue()).toBe("node-059");
    await host.fill("node-01");
    await add.getByLabel("Name", { exact: true }).click(); // and so does going to another field
    await expect.poll(() => host.inputValue()).toBe("node-059");

    await add.getByLabel("Name", { exact: true }).fill("api");
    await add.getByLabel("Image", { exact: true }).fill("nginx:1.27");
    await add.getByRole("button", { name: "Add service" }).click();
    await page.getByTestId("service-api").waitFor();
    const service = await db.service.findFirstOrThrow({
      where: { name: "api", environment: { slug: "staging", project: { teamId } } },
      select: { host: { select: { name: true } } },
    });
    expect(service.host?.name).toBe("node-059");

    // Its settings start from that host, though it is past the first ones listed.
    await page.goto(`/t/${slug}/projects/picker-shop/staging/services/api`);
    await page.getByText("Settings of api").click();
    expect(await page.getByRole("combobox", { name: "Host" }).inputValue()).toBe("node-059");
  });
});
