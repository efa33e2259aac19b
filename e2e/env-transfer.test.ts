// Moving configuration in the browser: a .env imported with two new keys ticked as secrets, downloaded
// with and without them, several keys promoted at once, an environment cloned with its secrets, a rename.
// The ticked boxes share one name, so this is where a form losing all but the last value would show.
import { describe, expect, it } from "vitest";
import { createTeam, newPage, signUp, uniqueEmail, useBrowser } from "./support/browser";

const browser = useBrowser();

describe("configuration transfer", () => {
  it("imports, exports, promotes and clones through the forms", async () => {
    const page = await newPage(browser());
    await signUp(page, { name: "Transfer Owner", email: uniqueEmail("transfer") });
    const slug = await createTeam(page, `Transfer ${Date.now().toString(36)}`);
    const project = `shop-${Date.now().toString(36)}`;
    await page.goto(`/t/${slug}/projects`);
    await page.getByLabel("Name").fill(project);
    await page.getByRole("button", { name: "Create project" }).click();
    await page.waitForURL(`**/t/${slug}/projects/${project}`);

    // Import into staging, ticking B and TOKEN as secrets.
    await page.goto(`/t/${slug}/projects/${project}/staging`);
    await page.getByLabel(".env contents").fill("A=1\nB=2\nTOKEN=t0p\n");
    await page.getByRole("button", { name: "Preview changes" }).click();
    const preview = page.getByTestId("import-preview");
    for (const key of ["B", "TOKEN"])
      await preview
        .locator("tr", { has: page.getByText(key, { exact: true }) })
        .getByLabel("secret")
        .check();
    await preview.getByRole("button", { name: "Apply 3 changes" }).click();
    await page.getByText("Imported: 3 of 3 variables changed.").waitFor();

    // The download links, as the signed-in owner.
    const download = async (name: string | RegExp) => {
      const href = await page.getByRole("link", { name }).getAttribute("href");
      const res = await page.request.get(href!);
      expect(res.status()).toBe(200);
      return res.text();
    };
    const plain = await download("Download without secrets");
    expect(plain).toContain("# 2 secrets left out: B, TOKEN");
    expect(plain).toContain('A="1"');
    expect(plain).not.toContain("t0p");
    expect(await download(/Download with secrets/)).toBe('A="1"\nB="2"\nTOKEN="t0p"\n');

    // Promote two keys at once.
    await page.goto(`/t/${slug}/projects/${project}/compare?a=staging&b=production`);
    await page.getByLabel("Promote A").check();
    await page.getByLabel("Promote TOKEN").check();
    await page.getByRole("button", { name: "Promote selected to production" }).click();
    await page.getByText("Promoted 2 keys to production.").waitFor();

    // Clone staging with its secrets; the new environment's page follows.
    await page.goto(`/t/${slug}/projects/${project}`);
    const clone = page.locator("form", { has: page.getByRole("button", { name: "Clone" }) });
    // By name: the page's three "name" fields share one id, so their labels all point at the first.
    await clone.locator('input[name="name"]').fill("preview");
    await clone.getByLabel("Copy secrets too").check();
    await clone.getByRole("button", { name: "Clone" }).click();
    await page.waitForURL(`**/t/${slug}/projects/${project}/preview`);
    expect(await download(/Download with secrets/)).toBe('A="1"\nB="2"\nTOKEN="t0p"\n');

    await page.goto(`/t/${slug}/projects/${project}/production`);
    expect(await download(/Download with secrets/)).toBe('A="1"\nTOKEN="t0p"\n');

    await page.goto(`/t/${slug}/projects/${project}`);
    const rename = page.locator("form", { has: page.getByRole("button", { name: "Rename" }) });
    await rename.locator('input[name="name"]').fill("Renamed shop");
    await rename.getByRole("button", { name: "Rename" }).click();
    await page.getByText("Project renamed.").waitFor();
  });
});
