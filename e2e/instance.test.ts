// The instance owner's settings page: the owner makes sign-up invitation only, a stranger's sign-up page then
// says so, and a sign-up form opened before the change is refused by the server; email domains are shown to
// strangers; nobody else has the page.
import { afterAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { openSignUp } from "../tests/support/signup-policy";
import { createTeam, newPage, PASSWORD, screenshot, signUp, uniqueEmail, useBrowser } from "./support/browser";

const browser = useBrowser();
let standIn: string | undefined;

afterAll(async () => {
  if (standIn) await db.user.update({ where: { id: standIn }, data: { instanceOwner: false } });
  await openSignUp(); // the other browser tests sign up freely
  await db.$disconnect();
});

describe("instance settings", () => {
  it("the owner sets invitation only; a stranger's sign-up page says so and a forced sign-up is refused", async () => {
    const email = uniqueEmail("owner");
    const owner = await newPage(browser());
    await signUp(owner, { name: "Ada Owner", email });
    // The test database's first account owns the instance; this test's account stands in for it.
    standIn = (await db.user.update({ where: { email }, data: { instanceOwner: true }, select: { id: true } })).id;
    const slug = await createTeam(owner, `Instance ${Date.now().toString(36)}`);

    // A stranger opens the sign-up form while sign-up is still open...
    const stranger = await newPage(browser());
    const strangerEmail = uniqueEmail("stranger");
    await stranger.goto("/signup");
    await stranger.getByLabel("Your name").fill("Stranger");
    await stranger.getByLabel("Email").fill(strangerEmail);
    await stranger.getByLabel("Password").fill(PASSWORD);

    // ...and the owner, through the header's link, makes it invitation only.
    await owner.goto(`/t/${slug}`);
    await owner.getByRole("link", { name: "Instance", exact: true }).click();
    await owner.waitForURL("**/instance");
    await owner.getByRole("radio", { name: /Invitation only/ }).check();
    await owner.getByRole("button", { name: "Save sign-up policy" }).click();
    await owner.getByText("Saved: sign-up is by invitation only.").waitFor();
    await owner.getByText(`${email} made sign-up by invitation only`).first().waitFor(); // in Recent changes
    await screenshot(owner, "70-instance");

    // The form the stranger still has posts anyway: the server refuses it and makes nothing.
    await stranger.getByRole("button", { name: "Create account" }).click();
    await stranger.getByText(/Sign-up on this Berth is by invitation: ask a team admin to invite you/).waitFor();
    expect(await db.user.findUnique({ where: { email: strangerEmail } })).toBeNull();
    // Loaded now, the page has no form, only the way in.
    await stranger.reload();
    await stranger.getByRole("heading", { level: 1, name: "Sign-up is by invitation" }).waitFor();
    expect(await stranger.getByRole("button", { name: "Create account" }).count()).toBe(0);
    expect(await stranger.getByLabel("Password").count()).toBe(0);
    await screenshot(stranger, "71-signup-invitation-only");

    // Email domains: a bad one is refused with the field's message, the list is kept as typed.
    await owner.getByRole("radio", { name: /Email domains/ }).check();
    await owner.getByRole("textbox", { name: "Email domains" }).fill("corp.test\nnot a domain");
    await owner.getByRole("button", { name: "Save sign-up policy" }).click();
    await owner.getByText('"not" is not a domain name like example.com.').first().waitFor();
    expect(await owner.getByRole("radio", { name: /Email domains/ }).isChecked()).toBe(true);
    await owner.getByRole("textbox", { name: "Email domains" }).fill("Corp.test\n@corp.test");
    await owner.getByRole("button", { name: "Save sign-up policy" }).click();
    await owner.getByText("Saved: sign-up is for @corp.test addresses (and invitations).").waitFor();
    expect(await owner.getByRole("textbox", { name: "Email domains" }).inputValue()).toBe("corp.test");
    await stranger.reload();
    await stranger.getByText("Use an @corp.test address.").waitFor();
    await stranger.getByLabel("Email").fill(strangerEmail);
    await stranger.getByLabel("Your name").fill("Stranger");
    await stranger.getByLabel("Password").fill(PASSWORD);
    await stranger.getByRole("button", { name: "Create account" }).click();
    await stranger.getByText(/Sign-up on this Berth is for @corp\.test addresses/).waitFor();

    // Open again; an account that is not the owner's has neither the link nor the page.
    await owner.getByRole("radio", { name: /^Open/ }).check();
    await owner.getByRole("button", { name: "Save sign-up policy" }).click();
    await owner.getByText("Saved: sign-up is open to anyone.").waitFor();
    await signUp(stranger, { name: "Stranger", email: strangerEmail });
    await stranger.goto("/teams/new");
    expect(await stranger.getByRole("link", { name: "Instance", exact: true }).count()).toBe(0);
    await stranger.goto("/instance");
    await stranger.getByRole("heading", { level: 1, name: "Not found" }).waitFor();
    // The JSON API answers the same: the owner's session reads the settings, anyone else's finds nothing.
    expect((await stranger.request.get("/api/v1/instance")).status()).toBe(404);
    const mine = await owner.request.get("/api/v1/instance");
    expect(mine.status()).toBe(200);
    expect(await mine.json()).toMatchObject({ signupPolicy: "OPEN", signupDomains: ["corp.test"], localHost: { teams: [{ slug }] } });
  });
});
