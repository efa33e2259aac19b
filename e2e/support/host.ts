// Adds a host to a team through the page and runs its agent as a process (the bundled one, as `npm run agent`
// does): the page's install command carries a one-time token, traded here at /api/agent/enroll as the agent in
// Berth's image would, for the Redis login the process agent gets as BERTH_AGENT_URL.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import type { Page } from "playwright-core";
import { expect } from "vitest";
import { enrollmentCredentials } from "../../lib/hosts/enrollment";

export async function addHostWithAgent(page: Page, slug: string, name: string): Promise<ChildProcess> {
  await page.goto(`/t/${slug}/hosts`);
  await page.getByLabel("Name").fill(name);
  await page.getByRole("button", { name: "Add host" }).click();
  const command = await page.getByTestId("agent-command").inputValue();
  const url = /^curl -fsSL (\S+)\/api\/agent\/install\/([A-Za-z0-9_-]{43}) \| sh$/.exec(command);
  expect(url, command).not.toBeNull();
  expect(await page.getByTestId("agent-command-wget").inputValue()).toBe(command.replace("curl -fsSL", "wget -qO-"));
  const res = await fetch(`${url![1]}/api/agent/enroll`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ token: url![2] }),
  });
  expect(res.status).toBe(200);
  const { redisUrl } = enrollmentCredentials.parse(await res.json());
  const agent = spawn(process.execPath, [path.join(process.cwd(), "dist/agent.cjs")], {
    env: { ...process.env, BERTH_AGENT_URL: redisUrl },
    stdio: process.env.BERTH_E2E_LOG ? "inherit" : "ignore",
  });
  await page.locator('[data-testid="host-status"][data-status="ONLINE"]').waitFor({ timeout: 30_000 });
  return agent;
}
