import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { findSessionUser, startSession } from "@/lib/data/sessions";
import { changePassword, signUp, updateProfile, verifyCredentials } from "@/lib/data/users";
import { ConflictError, UnauthorizedError, ValidationError } from "@/lib/errors";
import { makeUser, PASSWORD, uniq } from "./support/factory";

describe("accounts", () => {
  it("signs up with a normalised email, a hashed password and an audit row", async () => {
    const email = `${uniq("Mixed")}@Example.TEST`;
    const user = await signUp({ name: "Ada", email, password: PASSWORD });
    expect(user.email).toBe(email.toLowerCase());
    const row = await db.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(row.passwordHash).not.toContain(PASSWORD);
    const audit = await db.auditEvent.findFirst({ where: { actorId: user.id, action: "user.signup" } });
    expect(audit?.targetLabel).toBe(user.email);
  });

  it("refuses a duplicate email, whatever its case, and writes nothing", async () => {
    const user = await makeUser();
    const before = await db.user.count();
    await expect(signUp({ name: "Again", email: user.email.toUpperCase(), password: PASSWORD })).rejects.toBeInstanceOf(ConflictError);
    expect(await db.user.count()).toBe(before);
  });

  it("refuses bad input and writes nothing", async () => {
    const email = `${uniq()}@example.test`;
    await expect(signUp({ name: "X", email, password: "short" })).rejects.toBeInstanceOf(ValidationError);
    await expect(signUp({ name: "X", email: "nope", password: PASSWORD })).rejects.toBeInstanceOf(ValidationError);
    expect(await db.user.findUnique({ where: { email } })).toBeNull();
  });

  it("checks credentials without saying which part was wrong", async () => {
    const user = await makeUser();
    const ip = uniq("ip");
    expect((await verifyCredentials(user.email, PASSWORD, ip)).id).toBe(user.id);
    const wrong = verifyCredentials(user.email, "wrong-password-1", ip);
    await expect(wrong).rejects.toBeInstanceOf(UnauthorizedError);
    const unknown = verifyCredentials(`${uniq()}@example.test`, PASSWORD, ip);
    await expect(unknown).rejects.toThrow("That email and password do not match an account.");
  });

  it("changing the password ends the user's other sessions and keeps the caller's", async () => {
    const user = await makeUser();
    const here = await startSession(user);
    const elsewhere = await startSession(user);
    await expect(changePassword(user, { currentPassword: "not-it-at-all", newPassword: "brand-new-password" }, here)).rejects.toBeInstanceOf(ValidationError);
    expect(await findSessionUser(user.id, elsewhere)).not.toBeNull();
    await changePassword(user, { currentPassword: PASSWORD, newPassword: "brand-new-password" }, here);
    expect(await findSessionUser(user.id, here)).not.toBeNull();
    expect(await findSessionUser(user.id, elsewhere)).toBeNull();
    await expect(verifyCredentials(user.email, PASSWORD, uniq())).rejects.toBeInstanceOf(UnauthorizedError);
    expect((await verifyCredentials(user.email, "brand-new-password", uniq())).id).toBe(user.id);
    const audit = await db.auditEvent.findFirstOrThrow({ where: { actorId: user.id, action: "user.password" } });
    expect(audit.data).toEqual({ sessionsEnded: 1 });
  });

  it("renames the user and audits it", async () => {
    const user = await makeUser("Old Name");
    expect((await updateProfile(user, { name: "New Name" })).name).toBe("New Name");
    await expect(updateProfile(user, { name: "  " })).rejects.toBeInstanceOf(ValidationError);
    const audit = await db.auditEvent.findFirstOrThrow({ where: { actorId: user.id, action: "user.update" } });
    expect(audit.data).toEqual({ name: { from: "Old Name", to: "New Name" } });
  });
});
