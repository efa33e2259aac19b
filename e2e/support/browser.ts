// Headless Debian Chromium through playwright-core, plus the few steps most browser tests share.
import fs from "node:fs";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, inject } from "vitest";

export const baseUrl = () => inject("baseUrl");
export const PASSWORD = "browser-password-1";

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
      "--disable-sync",
    ],
  });
}

/** One Chromium for the test file: launched before its tests, closed after. */
export function useBrowser(): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
  });
  return () => browser!;
}

export async function newPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ baseURL: baseUrl(), viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  return page;
}

/** Saves a full-page screenshot under test-results/screens for people to look at. */
export async function screenshot(page: Page, name: string) {
  const dir = path.join(process.cwd(), "test-results", "screens");
  fs.mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}

export async function signUp(page: Page, user: { name: string; email: string; password?: string }) {
  await page.goto("/signup");
  await page.getByLabel("Your name").fill(user.name);
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill(user.password ?? PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.waitForURL("**/teams/new");
}

export async function createTeam(page: Page, name: string): Promise<string> {
  await page.goto("/teams/new");
  await page.getByLabel("Team name").fill(name);
  await page.getByRole("button", { name: "Create team" }).click();
  await page.waitForURL(/\/t\/[a-z0-9-]+$/);
  await page.getByRole("heading", { level: 1, name }).waitFor();
  return new URL(page.url()).pathname.split("/")[2]!;
}

export function uniqueEmail(prefix: string) {
  return `${prefix}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}@example.test`;
}

/** Creates an invite on the team's members page (as an admin or owner) and returns its link. */
export async function inviteLink(page: Page, slug: string, email: string, role: "OWNER" | "ADMIN" | "DEVELOPER" | "VIEWER"): Promise<string> {
  await page.goto(`/t/${slug}/settings/members`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Role").selectOption(role);
  await page.getByRole("button", { name: "Create invite" }).click();
  return page.getByTestId("invite-link").inputValue();
}

/** Opens an invite link in a fresh browser context, signs up as a new user and lands on the team. */
export async function joinAsNewUser(browser: Browser, link: string, slug: string, name: string): Promise<Page> {
  const page = await newPage(browser);
  await page.goto(new URL(link).pathname);
  await page.getByLabel("Your name").fill(name);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account and join" }).click();
  await page.waitForURL(`**/t/${slug}`);
  return page;
}
