// Shared configuration in the browser, with two team members in two browser contexts: one sets a staging
// variable and a secret, the other sees the variable and the secret only as set and masked; production is
// protected from developers in the page and by the server; history restores an earlier value.
import { describe, expect, it } from "vitest";
import { createTeam, newPage, PASSWORD, screenshot, signUp, uniqueEmail, useBrowser } from "./support/browser";

const browser = useBrowser();

describe("shared configuration", () => {
  it("shares variables, masks secrets, protects production, restores history", async () => {
    const owner = await newPage(browser());
    await signUp(owner, { name: "Config Owner", email: uniqueEmail("cfgowner") });
    const slug = await createTeam(owner, `Config ${Date.now().toString(36)}`);
    await owner.goto(`/t/${slug}/projects`);
    await owner.getByLabel("Name").fill("Web Shop");
    await owner.getByRole("button", { name: "Create project" }).click();
    await owner.waitForURL(`**/t/${slug}/projects/web-shop`);
    await owner.getByTestId("environments").getByText("production").waitFor();

    // A developer joins.
    const devEmail = uniqueEmail("cfgdev");
    await owner.goto(`/t/${slug}/settings/members`);
    await owner.getByLabel("Email").fill(devEmail);
    await owner.getByLabel("Role").selectOption("DEVELOPER");
    await owner.getByRole("button", { name: "Create invite" }).click();
    const invite = await owner.getByTestId("invite-link").inputValue();
    const dev = await newPage(browser());
    await dev.goto(new URL(invite).pathname);
    await dev.getByLabel("Your name").fill("Dana Dev");
    await dev.getByLabel("Password").fill(PASSWORD);
    await dev.getByRole("button", { name: "Create account and join" }).click();
    await dev.waitForURL(`**/t/${slug}`);

    // The developer sets a staging variable and a secret.
    await dev.goto(`/t/${slug}/projects/web-shop/staging`);
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
    await owner.goto(`/t/${slug}/projects/web-shop/staging`);
    expect(await owner.getByTestId("var-LOG_LEVEL").textContent()).toContain("debug");
    const secretRow = (await owner.getByTestId("var-STRIPE_KEY").textContent()) ?? "";
    expect(secretRow).toContain("secret");
    expect(await owner.content()).not.toContain("sk_live_do_not_leak");
    await screenshot(owner, "40-environment-variables");

    // Production is protected: no form for the developer, and the server refuses a forged submit.
    await dev.goto(`/t/${slug}/projects/web-shop/production`);
    await dev.getByText("This environment is protected").waitFor();
    expect(await dev.getByRole("button", { name: "Save" }).count()).toBe(0);
    await screenshot(dev, "41-protected-production");
    await dev.goto(`/t/${slug}/projects/web-shop/staging`);
    const prodId = await owner.evaluate(async (s) => {
      const res = await fetch(`/t/${s}/projects/web-shop/production`);
      return /name="ownerId" value="([^"]+)"/.exec(await res.text())?.[1] ?? "";
    }, slug);
    expect(prodId).not.toBe("");
    // Point the staging form at production's id, as a hand-made request would.
    await dev.evaluate((id) => {
      for (const el of document.querySelectorAll<HTMLInputElement>('input[name="ownerId"]')) el.value = id;
    }, prodId);
    await dev.getByLabel("Key", { exact: true }).fill("SNEAKY");
    await dev.getByLabel("Value", { exact: true }).fill("1");
    await dev.getByRole("button", { name: "Save" }).click();
    await dev.getByText("production is protected").waitFor();

    // History: change LOG_LEVEL, then restore the earlier value in one click.
    await dev.goto(`/t/${slug}/projects/web-shop/staging`);
    await setVar("LOG_LEVEL", "info");
    await dev.getByTestId("var-LOG_LEVEL").getByRole("link", { name: "History" }).click();
    await dev.getByTestId("history").getByText("debug").waitFor();
    await dev.getByRole("button", { name: "Restore" }).first().click();
    await dev.getByText("LOG_LEVEL restored.").waitFor();
    await screenshot(dev, "42-variable-history");
    await dev.goto(`/t/${slug}/projects/web-shop/staging`);
    expect(await dev.getByTestId("var-LOG_LEVEL").textContent()).toContain("debug");
  });
});
