// An existing user joins a second team through an invite, switches between teams, changes name and
// password, signs out and back in.
import { describe, expect, it } from "vitest";
import { createTeam, inviteLink, newPage, PASSWORD, screenshot, signUp, uniqueEmail, useBrowser } from "./support/browser";

const browser = useBrowser();

describe("account and teams", () => {
  it("joins a second team as an existing user and switches between teams", async () => {
    const owner = await newPage(browser());
    await signUp(owner, { name: "Inviter", email: uniqueEmail("inviter") });
    const otherTeam = `Other ${Date.now().toString(36)}`;
    const otherSlug = await createTeam(owner, otherTeam);

    const email = uniqueEmail("member");
    const me = await newPage(browser());
    await signUp(me, { name: "Member", email });
    const myTeam = `Mine ${Date.now().toString(36)}`;
    const mySlug = await createTeam(me, myTeam);
    await me.getByRole("button", { name: "Sign out" }).click();
    await me.waitForURL("**/signin");

    const url = await inviteLink(owner, otherSlug, email, "ADMIN");

    // Signed out, an existing account signs in on the invite page, then accepts.
    await me.goto(new URL(url).pathname);
    expect(await me.getByLabel("Email").inputValue()).toBe(email);
    await me.getByLabel("Password").fill(PASSWORD);
    await me.getByRole("button", { name: "Sign in" }).click();
    await me.getByRole("button", { name: `Accept and join ${otherTeam}` }).click();
    await me.waitForURL(`**/t/${otherSlug}`);
    expect(await me.getByText("Your role").locator("..").textContent()).toContain("Admin");

    await me.getByTestId("team-switcher").click();
    await screenshot(me, "20-team-switcher");
    await me.getByRole("menuitem", { name: myTeam }).click();
    await me.waitForURL(`**/t/${mySlug}`);
    await me.getByRole("heading", { level: 1, name: myTeam }).waitFor();
  });

  it("changes name and password, signs out and back in with the new password", async () => {
    const email = uniqueEmail("acct");
    const page = await newPage(browser());
    await signUp(page, { name: "Before", email });
    await page.goto("/account");
    await page.getByLabel("Name").fill("After");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Name saved.").waitFor();
    await page.getByRole("link", { name: /After/ }).waitFor();

    await page.getByLabel("Current password").fill("not-the-password");
    await page.getByLabel("New password").fill("a-new-password-2");
    await page.getByRole("button", { name: "Change password" }).click();
    await page.locator("#f-currentPassword-error").waitFor();

    await page.getByLabel("Current password").fill(PASSWORD);
    await page.getByLabel("New password").fill("a-new-password-2");
    await page.getByRole("button", { name: "Change password" }).click();
    await page.getByText("Password changed.").waitFor();
    await screenshot(page, "21-account");
    await page.reload();
    expect(new URL(page.url()).pathname).toBe("/account"); // still signed in, with a fresh session

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL("**/signin");
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByText("That email and password do not match an account.").waitFor();
    await page.getByLabel("Password").fill("a-new-password-2");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL("**/teams/new");
  });
});
