// Bad input in the browser: a clear message on the page, the user's typing kept, nothing half-written.
import { describe, expect, it } from "vitest";
import { createTeam, newPage, PASSWORD, screenshot, signUp, uniqueEmail, useBrowser } from "./support/browser";

const browser = useBrowser();

describe("bad input", () => {
  it("sign-up names the bad fields and refuses a taken email", async () => {
    const page = await newPage(browser());
    await page.goto("/signup");
    await page.getByLabel("Your name").fill("Sam");
    await page.getByLabel("Email").fill("not-an-email");
    await page.getByLabel("Password").fill("short");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByText("Please check the fields marked below.").waitFor();
    expect(await page.locator("#f-email-error").textContent()).toMatch(/Enter a valid email address/);
    expect(await page.locator("#f-password-error").textContent()).toBe("Use at least 10 characters.");
    expect(await page.getByLabel("Your name").inputValue()).toBe("Sam");
    await screenshot(page, "10-signup-errors");

    const email = uniqueEmail("taken");
    const other = await newPage(browser());
    await signUp(other, { name: "First", email });
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByText("An account with this email already exists").first().waitFor();
    expect(new URL(page.url()).pathname).toBe("/signup");
  });

  it("sign-in says when the password is wrong", async () => {
    const email = uniqueEmail("signin");
    const first = await newPage(browser());
    await signUp(first, { name: "Sig", email });
    const page = await newPage(browser());
    await page.goto("/signin");
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill("wrong-password-1");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByText("That email and password do not match an account.").waitFor();
    await screenshot(page, "11-signin-error");
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL("**/teams/new");
  });

  it("unknown team slugs and invalid invite links are not found", async () => {
    const page = await newPage(browser());
    await signUp(page, { name: "Nosy", email: uniqueEmail("nosy") });
    const res = await page.goto("/t/definitely-not-a-team-of-mine");
    expect(res?.status()).toBe(404);
    await page.goto("/invite/not-a-real-token");
    await page.getByText("This invite link is not valid").waitFor();
    await screenshot(page, "12-invite-invalid");
  });

  it("team forms keep the input and explain the problem; deleting needs the exact name", async () => {
    const page = await newPage(browser());
    await signUp(page, { name: "Tess", email: uniqueEmail("tess") });
    await page.goto("/teams/new");
    await page.getByLabel("Team name").fill("Ok Name");
    await page.getByLabel("URL name (optional)").fill("Bad Slug!");
    await page.getByRole("button", { name: "Create team" }).click();
    await page.locator("#f-slug-error").getByText("Use 1–40 lowercase letters").waitFor();
    expect(await page.getByLabel("Team name").inputValue()).toBe("Ok Name");

    const name = `Doomed ${Date.now().toString(36)}`;
    const slug = await createTeam(page, name);
    await page.goto(`/t/${slug}/settings`);
    await page.getByLabel(`Type "${name}" to confirm`).fill("wrong name");
    await page.getByRole("button", { name: "Delete this team" }).click();
    await page.locator("#f-confirm-error").getByText("Does not match the team's name.").waitFor();
    await screenshot(page, "13-team-settings-error");
    await page.getByLabel(`Type "${name}" to confirm`).fill(name);
    await page.getByRole("button", { name: "Delete this team" }).click();
    await page.waitForURL("**/teams/new");
    expect((await page.goto(`/t/${slug}`))?.status()).toBe(404);
  });
});
