// The bus end to end: creating an invite enqueues a job on the real Redis; the control worker consumes
// it and the outbox row is delivered.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db";
import { createInvite } from "@/lib/data/invites";
import { ACCOUNT_EMAIL_DELIVERED, listOutbox } from "@/lib/data/outbox";
import { previewPasswordReset, requestPasswordReset } from "@/lib/data/password-reset";
import { closeQueues } from "@/lib/jobs/enqueue";
import { startControlWorker } from "@/workers/control/start";
import { makeTeam, makeUser, uniq } from "./support/factory";
import { waitFor } from "./support/wait";

let control: ReturnType<typeof startControlWorker>;
beforeAll(() => {
  control = startControlWorker();
});
afterAll(async () => {
  await control.close();
  await closeQueues();
});

describe("invite email through the control worker", () => {
  it("is delivered to the team's outbox with the invite link", async () => {
    const owner = await makeTeam();
    const email = `${uniq()}@example.test`;
    const invite = await createInvite(owner, { email, role: "VIEWER" });
    const row = await waitFor(
      () => db.outboxEmail.findFirstOrThrow({ where: { teamId: owner.team.id, to: email } }),
      (r) => r.status === "DELIVERED",
    );
    expect(row.status).toBe("DELIVERED");
    expect(row.deliveredAt).not.toBeNull();
    expect(row.body).toContain(invite.url);

    const other = await makeTeam();
    expect((await listOutbox(other)).length).toBe(0);
    expect((await listOutbox(owner)).map((m) => m.to)).toEqual([email]);
  });

  it("relays a row whose job never reached Redis", async () => {
    const owner = await makeTeam();
    const row = await db.outboxEmail.create({
      data: { teamId: owner.team.id, to: "late@example.test", subject: "s", body: "b", createdAt: new Date(Date.now() - 60_000) },
    });
    // The worker's relay runs at start and every 30 s; restart it to trigger a pass now.
    await control.close();
    control = startControlWorker();
    const done = await waitFor(
      () => db.outboxEmail.findUniqueOrThrow({ where: { id: row.id } }),
      (r) => r.status === "DELIVERED",
    );
    expect(done.status).toBe("DELIVERED");
  });

  it("delivers an account email to the worker's log only, and does not keep its link", async () => {
    const user = await makeUser();
    const logged: string[] = [];
    const spy = vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => void logged.push(args.join(" ")));
    try {
      await requestPasswordReset({ email: user.email }, uniq("ip"));
      const row = await waitFor(
        () => db.outboxEmail.findFirstOrThrow({ where: { to: user.email, teamId: null } }),
        (r) => r.status === "DELIVERED",
      );
      expect(row.status).toBe("DELIVERED");
      expect(row.body).toBe(ACCOUNT_EMAIL_DELIVERED);
      const line = logged.find((l) => l.startsWith(`account email for ${user.email}`));
      expect(line).toMatch(/\/reset\/[\w-]+/);
      const token = line!.match(/\/reset\/([\w-]+)/)![1]!;
      expect((await previewPasswordReset(token)).status).toBe("pending");
    } finally {
      spy.mockRestore();
    }
  });
});
