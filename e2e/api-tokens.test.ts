// API tokens as a user meets them: made on Settings → API tokens, shown once, used with Authorization: Bearer,
// listed with their last use, revoked on the same page (the next call is refused), and named in the audit log.
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { baseUrl, createTeam, inviteLink, joinAsNewUser, newPage, screenshot, signUp, uniqueEmail, useBrowser } from "./support/browser";

const browser = useBrowser();
let page: Page;
let slug: string;

const scope = (p: Page, name: string) => p.locator(`input[type=checkbox][name="scope:${name}"]`);
const bearerGet = (path: string, token: string) => fetch(`${baseUrl()}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });

beforeAll(async () => {
  page = await newPage(browser());
  await signUp(page, { name: "Token Owner", email: uniqueEmail("tokens") });
  slug = await createTeam(page, `Tokens ${Date.now().toString(36)}`);
});
afterAll(async () => {
  await page?.context().close();
});

describe("API tokens page", () => {
  it("refuses a token without scopes and keeps what was typed", async () => {
    await page.goto(`/t/${slug}/settings`);
    await page.getByRole("link", { name: "API tokens" }).click();
    await page.waitForURL(`**/t/${slug}/settings/tokens`);
    await page.getByLabel("Name").fill("no-scopes");
    await scope(page, "read").uncheck();
    await page.getByRole("button", { name: "Create token" }).click();
    await page.getByText("Choose at least one scope.").waitFor();
    expect(await page.getByLabel("Name").inputValue()).toBe("no-scopes");
    expect(await page.getByTestId("new-token").count()).toBe(0);
  });

  it("makes a token, shows it once, and the API accepts it until it is revoked", async () => {
    await page.goto(`/t/${slug}/settings/tokens`);
    await page.getByLabel("Name").fill("e2e-ci");
    await page.getByLabel("Expires").selectOption("30");
    await scope(page, "deploy").check();
    await page.getByRole("button", { name: "Create token" }).click();
    const token = await page.getByTestId("new-token-value").inputValue();
    expect(token).toMatch(/^berth_[A-Za-z0-9_-]{43}$/);
    await page.getByText("This is the only time Berth shows it").waitFor();
    expect(await page.getByTestId("cli-login").inputValue()).toBe(`npx berth login ${baseUrl()}`);
    const row = page.getByTestId("token-e2e-ci");
    await row.getByText("Never used").waitFor();
    expect(await row.textContent()).toContain(token.slice(0, 12));
    await screenshot(page, "api-tokens-created");

    const me = await bearerGet("/me", token);
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ team: { slug }, token: { name: "e2e-ci", scopes: ["read", "deploy"] } });
    const projects = await bearerGet(`/teams/${slug}/projects`, token);
    expect(projects.status).toBe(200);

    // Shown once: after a reload the page has only the prefix, and the last use with its address.
    await page.reload();
    expect(await page.getByTestId("new-token").count()).toBe(0);
    expect(await page.content()).not.toContain(token);
    const lastUsed = await row.getByTestId("last-used").textContent();
    expect(lastUsed).not.toContain("Never used");
    expect(lastUsed).toMatch(/\d+\.\d+\.\d+\.\d+|:/); // the address it came from

    page.once("dialog", (d) => void d.accept());
    await row.getByRole("button", { name: "Revoke e2e-ci" }).click();
    await row.getByText("revoked", { exact: true }).waitFor();
    expect(await row.getByRole("button", { name: "Revoke e2e-ci" }).count()).toBe(0);
    await screenshot(page, "api-tokens-revoked");
    const refused = await bearerGet("/me", token);
    expect(refused.status).toBe(401);
    expect((await refused.json()).error.message).toMatch(/revoked/);
    expect((await bearerGet(`/teams/${slug}/projects`, token)).status).toBe(401);
  });

  it("limits a token to one environment from the form", async () => {
    for (const name of ["Shop", "Blog"]) {
      const made = await page.context().request.post(`/api/v1/teams/${slug}/projects`, { data: { name } });
      expect(made.status()).toBe(201);
    }
    await page.goto(`/t/${slug}/settings/tokens`);
    await page.getByLabel("Name").fill("shop-staging");
    await page.getByLabel("Limited to").selectOption({ label: "Shop / staging only" });
    await page.getByRole("button", { name: "Create token" }).click();
    const token = await page.getByTestId("new-token-value").inputValue();
    expect(await page.getByTestId("token-shop-staging").textContent()).toContain("Shop / staging");
    await screenshot(page, "api-tokens-limited");

    const res = await bearerGet(`/teams/${slug}/projects`, token);
    expect(res.status).toBe(200);
    expect((await res.json()).projects.map((p: { name: string }) => p.name)).toEqual(["Shop"]);
  });

  it("a viewer is offered only the read scope and sees only their own tokens", async () => {
    const email = uniqueEmail("viewer");
    const viewer = await joinAsNewUser(browser(), await inviteLink(page, slug, email, "VIEWER"), slug, "Token Viewer");
    await viewer.goto(`/t/${slug}/settings/tokens`);
    for (const name of ["read:secrets", "deploy", "write", "admin"]) expect(await scope(viewer, name).isDisabled(), name).toBe(true);
    expect(await scope(viewer, "read").isChecked()).toBe(true);
    await viewer.getByRole("heading", { name: "Your tokens" }).waitFor();
    await viewer.getByText("No API tokens yet").waitFor();
    await viewer.getByLabel("Name").fill("viewer-script");
    await viewer.getByRole("button", { name: "Create token" }).click();
    await viewer.getByTestId("token-viewer-script").waitFor();
    expect(await viewer.getByTestId("api-tokens").locator("tbody tr").count()).toBe(1);
    await screenshot(viewer, "api-tokens-viewer");
    await viewer.context().close();
    // The owner sees it, made by the viewer, and may revoke it.
    await page.goto(`/t/${slug}/settings/tokens`);
    const row = page.getByTestId("token-viewer-script");
    expect(await row.textContent()).toContain(email);
    await row.getByRole("button", { name: "Revoke viewer-script" }).waitFor();
  });

  it("the audit log names the token beside the member who made it", async () => {
    await page.goto(`/t/${slug}/settings/audit`);
    const events = page.getByTestId("audit-events");
    // The read through the API, by the member, under the token's name.
    await events.locator("li", { hasText: "read through the API" }).filter({ hasText: "via token e2e-ci" }).first().waitFor();
    await events.locator("li", { hasText: "read through the API" }).filter({ hasText: "via token shop-staging" }).first().waitFor();
    await events.locator("li", { hasText: "created API token e2e-ci" }).waitFor();
    await events.locator("li", { hasText: "revoked API token e2e-ci" }).waitFor();
    // Made and revoked in the browser: those rows carry no token name.
    expect(await events.locator("li", { hasText: "created API token e2e-ci" }).textContent()).not.toContain("via token");
    await screenshot(page, "api-tokens-audit");
  });
});
