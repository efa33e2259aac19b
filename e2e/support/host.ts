// Adds a host to a team through the page and runs its agent (the bundled one, as `npm run agent` does).
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import type { Page } from "playwright-core";
import { expect } from "vitest";

export async function addHostWithAgent(page: Page, slug: string, name: string): Promise<ChildProcess> {
  await page.goto(`/t/${slug}/hosts`);
  await page.getByLabel("Name").fill(name);
  await page.getByRole("button", { name: "Add host" }).click();
  const command = await page.getByTestId("agent-command").inputValue();
  const url = /BERTH_AGENT_URL='([^']+)'/.exec(command)?.[1];
  expect(url).toMatch(/^redis:\/\/host-/);
  const agent = spawn(process.execPath, [path.join(process.cwd(), "dist/agent.cjs")], {
    env: { ...process.env, BERTH_AGENT_URL: url },
    stdio: process.env.BERTH_E2E_LOG ? "inherit" : "ignore",
  });
  await page.locator('[data-testid="host-status"][data-status="ONLINE"]').waitFor({ timeout: 30_000 });
  return agent;
}
