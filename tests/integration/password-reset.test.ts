// "Forgot password?": one answer for every email, a single-use link that expires, dies with a password
// change, and ends every session when used.
import { afterAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { hashLinkToken } from "@/lib/auth/link-token";
import { listOutbox } from "@/lib/data/outbox";
import { previewPasswordReset, requestPasswordReset, RESET, resetPassword } from "@/lib/data/password-reset";
import { findSessionUser, startSession } from "@/lib/data/sessions";
import { changePassword, verifyCredentials } from "@/lib/data/users";
import { GoneError, NotFoundError, RateLimitError, UnauthorizedError, ValidationError } from "@/lib/errors";
import { closeQueues } from "@/lib/jobs/enqueue";
import { makeTeam, makeUser, PASSWORD, uniq } from "./support/factory";

afterAll(() => closeQueues());

async function resetLink(email: string): Promise<string> {
  await requestPasswordReset({ email }, uniq("ip"));
  const mail = await db.outboxEmail.findFirstOrThrow({ where: { to: email, teamId: null }, orderBy: { createdAt: "desc" } });
  return mail.body.match(/\/reset\/([\w-]+)/)![1]!;
}

describe("password reset", () => {
  it("answers the same for unknown emails, sending nothing, and audits every request", async () => {
    const nobody = `${uniq("nobody")}@example.test`;
    const ip = uniq("ip");
    await expect(requestPasswordReset({ email: nobody }, ip)).resolves.toBeUndefined();
    expect(await db.outboxEmail.count({ where: { to: nobody } })).toBe(0);
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: "user.password-reset.request", targetLabel: nobody } });
    expect(audit).toMatchObject({ teamId: null, actorId: null, data: { ip, sent: false } });
    await expect(requestPasswordReset({ email: "not an email" }, ip)).rejects.toBeInstanceOf(ValidationError);
  });

  it("stores only the token's hash, mails an account email that no team's outbox lists", async () => {
    const owner = await makeTeam();
    const token = await resetLink(owner.actor.email);
    const row = await db.passwordReset.findUniqueOrThrow({ where: { tokenHash: hashLinkToken(token) } });
    expect(row.userId).toBe(owner.actor.id);
    expect(JSON.stringify(await db.passwordReset.findMany({ where: { userId: owner.actor.id } }))).not.toContain(token);
    const minutes = (row.expiresAt.getTime() - Date.now()) / 60_000;
    expect(minutes).toBeGreaterThan(59);
    expect(minutes).toBeLessThanOrEqual(60);
    const mail = await db.outboxEmail.findFirstOrThrow({ where: { to: owner.actor.email, teamId: null } });
    expect(mail.body).toContain(`/reset/${token}`);
    expect((await listOutbox(owner)).map((m) => m.id)).not.toContain(mail.id);
    expect(
      await db.auditEvent.count({ where: { actorId: owner.actor.id, action: "user.password-reset.request", data: { path: ["sent"], equals: true } } }),
    ).toBe(1);
  });

  it("sets a new password once: every session ends, the old password and the link stop working", async () => {
    const user = await makeUser();
    const sessions = [await startSession(user), await startSession(user)];
    const token = await resetLink(user.email);
    await expect(resetPassword(token, { password: "short" })).rejects.toBeInstanceOf(ValidationError);
    expect((await previewPasswordReset(token)).status).toBe("pending"); // a refused password does not use it up

    expect(await resetPassword(token, { password: "a-fresh-password-1" })).toEqual({ email: user.email });
    for (const sid of sessions) expect(await findSessionUser(user.id, sid)).toBeNull();
    await expect(verifyCredentials(user.email, PASSWORD, uniq())).rejects.toBeInstanceOf(UnauthorizedError);
    expect((await verifyCredentials(user.email, "a-fresh-password-1", uniq())).id).toBe(user.id);
    await expect(resetPassword(token, { password: "a-second-password-1" })).rejects.toBeInstanceOf(GoneError);
    expect((await previewPasswordReset(token)).status).toBe("used");
    const audit = await db.auditEvent.findFirstOrThrow({ where: { actorId: user.id, action: "user.password-reset" } });
    expect(audit.data).toEqual({ sessionsEnded: 2 });
  });

  it("refuses expired links, unknown links, and links sent before a password change", async () => {
    const user = await makeUser();
    const expired = await resetLink(user.email);
    await db.passwordReset.update({ where: { tokenHash: hashLinkToken(expired) }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await expect(resetPassword(expired, { password: "a-fresh-password-1" })).rejects.toThrow(/expired/);
    await expect(resetPassword("not-a-token", { password: "a-fresh-password-1" })).rejects.toBeInstanceOf(NotFoundError);

    const beforeChange = await resetLink(user.email);
    await changePassword(user, { currentPassword: PASSWORD, newPassword: "changed-by-owner-1" });
    await expect(resetPassword(beforeChange, { password: "a-fresh-password-1" })).rejects.toBeInstanceOf(GoneError);
    expect((await verifyCredentials(user.email, "changed-by-owner-1", uniq())).id).toBe(user.id);
  });

  it("sends an account only a few links an hour, and answers an address's flood with 429", async () => {
    const user = await makeUser();
    for (let i = 0; i < RESET.perAccountPerHour + 2; i++) await requestPasswordReset({ email: user.email }, uniq("ip"));
    expect(await db.passwordReset.count({ where: { userId: user.id } })).toBe(RESET.perAccountPerHour);
    expect(await db.outboxEmail.count({ where: { to: user.email } })).toBe(RESET.perAccountPerHour);

    const ip = uniq("ip-flood");
    for (let i = 0; i < RESET.perAddressPerHour; i++) await requestPasswordReset({ email: `${uniq()}@example.test` }, ip);
    await expect(requestPasswordReset({ email: user.email }, ip)).rejects.toBeInstanceOf(RateLimitError);
  });
});
