// The walk-through, clicked in a real browser: sign up → create team → invite → a second user in
// a second browser context accepts → sees the team with the right role → a viewer cannot reach member
// management → the owner finds all of it in the audit log.
import { describe, expect, it } from "vitest";
import { createTeam, newPage, PASSWORD, screenshot, signUp, uniqueEmail, useBrowser } from "./support/browser";

const browser = useBrowser();

describe("team onboarding", () => {
  it("takes a team from sign-up to an audited invite accepted by a viewer", async () => {
    const owner = await newPage(browser());
    const ownerEmail = uniqueEmail("owner");
    await signUp(owner, { name: "Olive Owner", email: ownerEmail });
    await screenshot(owner, "01-create-first-team");
    const teamName = `Platform ${Date.now().toString(36)}`;
    const slug = await createTeam(owner, teamName);
    await screenshot(owner, "02-team-overview");

    // Invite a viewer.
    const viewerEmail = uniqueEmail("viewer");
    await owner.goto(`/t/${slug}/settings/members`);
    await owner.getByLabel("Email").fill(viewerEmail);
    await owner.getByLabel("Role").selectOption("VIEWER");
    await owner.getByRole("button", { name: "Create invite" }).click();
    const link = owner.getByTestId("invite-link");
    await link.waitFor();
    const inviteUrl = await link.inputValue();
    expect(inviteUrl).toMatch(/\/invite\/[A-Za-z0-9_-]{40,}$/);
    await expect.poll(() => owner.getByTestId("invites").textContent()).toContain(viewerEmail);
    await screenshot(owner, "03-members-with-invite");

    // The invite email reaches the outbox through the worker.
    await expect
      .poll(
        async () => {
          await owner.goto(`/t/${slug}/settings/outbox`);
          return owner.getByTestId("outbox").textContent();
        },
        { timeout: 20_000 },
      )
      .toContain("Delivered");
    await screenshot(owner, "04-outbox");

    // A second person, in a browser context of their own, accepts as a new user.
    const viewer = await newPage(browser());
    await viewer.goto(new URL(inviteUrl).pathname);
    await expect.poll(() => viewer.getByRole("heading", { level: 1 }).textContent()).toBe(`Join ${teamName}`);
    await expect.poll(() => viewer.getByLabel("Email").inputValue()).toBe(viewerEmail);
    await screenshot(viewer, "05-invite-signup");
    await viewer.getByLabel("Your name").fill("Vera Viewer");
    await viewer.getByLabel("Password").fill(PASSWORD);
    await viewer.getByRole("button", { name: "Create account and join" }).click();
    await viewer.waitForURL(`**/t/${slug}`);
    await expect.poll(() => viewer.getByText("Your role").locator("..").textContent()).toContain("Viewer");

    // The viewer sees no member management, and the page refuses them when opened directly.
    await viewer.goto(`/t/${slug}/settings`);
    expect(await viewer.getByRole("link", { name: "Members" }).count()).toBe(0);
    expect(await viewer.getByRole("button", { name: "Rename" }).count()).toBe(0);
    await viewer.goto(`/t/${slug}/settings/members`);
    await expect.poll(() => viewer.getByRole("status").first().textContent()).toContain("Not available to your role");
    expect(await viewer.getByRole("button", { name: "Create invite" }).count()).toBe(0);
    await screenshot(viewer, "06-viewer-refused-members");

    // The used link cannot be used again.
    await viewer.goto(new URL(inviteUrl).pathname);
    await screenshot(viewer, "07-invite-used");
    await viewer.getByText("This invite has already been used.").waitFor();
    await screenshot(viewer, "07-invite-used");

    // The owner sees the new member with the right role, and everything in the audit log.
    await owner.goto(`/t/${slug}/settings/members`);
    await expect.poll(() => owner.getByTestId(`member-${viewerEmail}`).textContent()).toContain("Vera Viewer");
    expect(await owner.getByLabel(`Role of ${viewerEmail}`).inputValue()).toBe("VIEWER");
    await owner.goto(`/t/${slug}/settings/audit`);
    const log = owner.getByTestId("audit-events");
    await expect.poll(() => log.textContent()).toContain(`${viewerEmail} joined as viewer`);
    const text = (await log.textContent()) ?? "";
    expect(text).toContain(`${ownerEmail} invited ${viewerEmail} as viewer`);
    expect(text).toContain(`${ownerEmail} created the team`);
    // Newest first.
    expect(text.indexOf("joined as viewer")).toBeLessThan(text.indexOf("created the team"));
    await screenshot(owner, "08-audit-log");

    // Filter by actor.
    await owner.getByLabel("Actor").fill(viewerEmail);
    await owner.getByRole("button", { name: "Filter" }).click();
    await owner.waitForURL(/actor=/);
    const filtered = (await owner.getByTestId("audit-events").textContent()) ?? "";
    expect(filtered).toContain("joined as viewer");
    expect(filtered).not.toContain("created the team");
  });
});
