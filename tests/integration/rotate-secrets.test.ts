import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { createGitService, openGitCredential, revealWebhookSecret } from "@/lib/data/git-services";
import { createChannel } from "@/lib/data/notifications/channels";
import { createProject } from "@/lib/data/projects";
import { resealAllSecrets } from "@/lib/data/rotate-secrets";
import { openVariables, setVariable } from "@/lib/data/variables";
import { openChannelUrl, openSigningSecret } from "@/lib/notify/secrets";
import { makeTeam } from "./support/factory";

// Only this test's team is re-sealed: the shared test database also holds other runs' secrets, sealed
// under keys this run does not have.
const original = { current: process.env.BERTH_MASTER_KEY, previous: process.env.BERTH_MASTER_KEYS_PREVIOUS };
afterAll(() => {
  process.env.BERTH_MASTER_KEY = original.current;
  process.env.BERTH_MASTER_KEYS_PREVIOUS = original.previous ?? "";
});

describe("master key rotation", () => {
  it("re-seals every secret under the new key; values survive, the old key is no longer needed", async () => {
    const ctx = await makeTeam();
    const p = await createProject(ctx, { name: "Rotate" });
    await setVariable(ctx, { scope: "PROJECT", projectId: p.id }, { key: "TOKEN", value: "keep-me", secret: true });
    await setVariable(ctx, { scope: "PROJECT", projectId: p.id }, { key: "TOKEN", value: "keep-me-2", secret: true });
    const svc = await createGitService(ctx, p.slug, "staging", {
      name: "api",
      gitUrl: "https://git.example.com/team/api.git",
      gitBranch: "main",
      httpPort: "8080",
      gitAuth: "token",
      token: "tok-keep-me",
    });
    const webhookSecret = await revealWebhookSecret(ctx, svc.id);
    const channel = await createChannel(ctx, { name: "alerts", kind: "webhook", url: "https://8.8.8.8/hooks/keep-me" });

    process.env.BERTH_MASTER_KEYS_PREVIOUS = process.env.BERTH_MASTER_KEY;
    process.env.BERTH_MASTER_KEY = randomBytes(32).toString("hex");
    const r = await resealAllSecrets(ctx.team.id);
    expect(r.variables).toBeGreaterThanOrEqual(1);
    expect(r.versions).toBeGreaterThanOrEqual(2);
    expect(r.services).toBe(1);
    expect(r.notificationChannels).toBe(1);
    expect(await resealAllSecrets(ctx.team.id)).toEqual({ variables: 0, versions: 0, services: 0, deployments: 0, notificationChannels: 0 });

    process.env.BERTH_MASTER_KEYS_PREVIOUS = ""; // the old key is gone
    expect((await openVariables(ctx.team.id, [`project:${p.id}`])).find((v) => v.key === "TOKEN")?.value).toBe("keep-me-2");
    const row = await db.variable.findFirstOrThrow({ where: { owner: `project:${p.id}`, key: "TOKEN" } });
    expect(row.sealed).not.toContain("keep-me");
    expect(await revealWebhookSecret(ctx, svc.id)).toBe(webhookSecret);
    expect(await openGitCredential(db, svc.id)).toEqual({ kind: "token", token: "tok-keep-me" });
    const sealed = await db.notificationChannel.findUniqueOrThrow({ where: { id: channel.id } });
    expect(openChannelUrl(sealed.id, sealed.urlSealed!)).toBe("https://8.8.8.8/hooks/keep-me");
    expect(openSigningSecret(sealed.id, sealed.signingSecret!)).toBe(channel.signingSecret);
  });
});
