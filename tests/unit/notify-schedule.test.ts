// The retry schedule of notification deliveries, which answers are final, and what each channel receives.
import { describe, expect, it } from "vitest";
import { emailMessage, slackBody, slackEscape, webhookBody } from "@/lib/notify/formats";
import type { NotificationMessage } from "@/lib/data/notifications/message";
import { DEFAULT_RETRY_MS, envMs, isPermanentStatus, nextRetryMs, retrySchedule } from "@/lib/notify/schedule";

describe("retry schedule", () => {
  it("spreads 8 attempts over about a day", () => {
    const total = DEFAULT_RETRY_MS.reduce((a, b) => a + b, 0);
    expect(DEFAULT_RETRY_MS.length + 1).toBe(8);
    expect(total).toBeGreaterThan(20 * 3_600_000);
    expect(total).toBeLessThan(28 * 3_600_000);
    expect([...DEFAULT_RETRY_MS].sort((a, b) => a - b)).toEqual(DEFAULT_RETRY_MS);
  });

  it("waits after each failed attempt, then gives up", () => {
    const s = [100, 200, 300];
    expect(nextRetryMs(1, s)).toBe(100);
    expect(nextRetryMs(3, s)).toBe(300);
    expect(nextRetryMs(4, s)).toBeNull();
    expect(nextRetryMs(1)).toBe(5_000);
    expect(nextRetryMs(8)).toBeNull();
  });

  it("reads BERTH_NOTIFY_RETRY_MS, and refuses what is not milliseconds", () => {
    expect(retrySchedule("200, 400,800")).toEqual([200, 400, 800]);
    expect(retrySchedule("")).toBe(DEFAULT_RETRY_MS);
    expect(retrySchedule(undefined)).toBe(DEFAULT_RETRY_MS);
    expect(() => retrySchedule("5s,10s")).toThrow(/BERTH_NOTIFY_RETRY_MS/);
    expect(() => retrySchedule("-1")).toThrow(/milliseconds/);
  });

  it("reads the sender's other waits, refusing what would make it spin", () => {
    expect(envMs("X", 15_000, {})).toBe(15_000);
    expect(envMs("X", 15_000, { X: "1500" })).toBe(1500);
    for (const bad of ["abc", "0", "-5", "1.5"]) expect(() => envMs("X", 1, { X: bad }), bad).toThrow(/X is/);
  });

  it("gives up at once only on 4xx answers that retrying cannot change", () => {
    for (const s of [400, 401, 403, 404, 410, 422]) expect(isPermanentStatus(s), String(s)).toBe(true);
    for (const s of [408, 425, 429, 500, 502, 503, 301, 302]) expect(isPermanentStatus(s), String(s)).toBe(false);
  });
});

const message: NotificationMessage = {
  event: "deployment.failed",
  title: "Deployment failed: web in Shop <prod> / production",
  detail: "exit 1 & <script>",
  url: "https://berth.example/t/acme/deployments/d1",
  occurredAt: "2026-12-06T12:00:00.000Z",
  team: { id: "t1", name: "Acme & Co", slug: "acme" },
  project: { id: "p1", name: "Shop <prod>", slug: "shop" },
  environment: { id: "e1", name: "production", slug: "production" },
  service: { id: "s1", name: "web" },
  host: { id: "h1", name: "edge-1" },
  deployment: { id: "d1", number: 7, ref: "main", commitSha: "0123456789abcdef", commitMessage: "Fix <checkout>" },
  container: null,
};

describe("channel formats", () => {
  it("webhook: the Standard Webhooks envelope with the message as data", () => {
    expect(JSON.parse(webhookBody(message))).toEqual({ type: "deployment.failed", timestamp: message.occurredAt, data: message });
  });

  it("slack: escapes &, < and > in every text and links the page", () => {
    expect(slackEscape("a & <b> c")).toBe("a &amp; &lt;b&gt; c");
    const body = JSON.parse(slackBody(message));
    expect(body.text).toBe("Deployment failed: web in Shop &lt;prod&gt; / production: exit 1 &amp; &lt;script&gt;");
    const all = JSON.stringify(body.blocks);
    expect(all).toContain("<https://berth.example/t/acme/deployments/d1|Deployment failed: web in Shop &lt;prod&gt; / production>");
    for (const name of ["Acme &amp; Co", "Shop &lt;prod&gt;", "production", "web", "edge-1", "0123456", "Fix &lt;checkout&gt;"]) expect(all).toContain(name);
    expect(all).not.toMatch(/<script>|<prod>|Acme & Co/);
  });

  it("email: a plain subject and body naming everything, with the link", () => {
    const e = emailMessage(message);
    expect(e.subject).toBe("[Berth] Deployment failed: web in Shop <prod> / production");
    for (const line of [
      "Team: Acme & Co",
      "Project: Shop <prod>",
      "Environment: production",
      "Service: web",
      "Host: edge-1",
      "Commit: 0123456 Fix <checkout>",
      "Open in Berth: https://berth.example/t/acme/deployments/d1",
    ])
      expect(e.body).toContain(line);
  });
});
