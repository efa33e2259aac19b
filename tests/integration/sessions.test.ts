// Server-side sessions: the JWT names a session row, and only a live row signs a request in. A copied
// cookie is exactly a (user id, session id) pair, so these checks are what a copied cookie meets.
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { authOptions } from "@/lib/auth/options";
import { endSession, findSessionUser, SESSION_MAX_AGE_SECONDS, startSession } from "@/lib/data/sessions";
import { makeUser } from "./support/factory";

describe("sessions", () => {
  it("a session works until sign-out, then a copy of its cookie is refused", async () => {
    const user = await makeUser();
    const sid = await startSession(user);
    const row = await db.userSession.findUniqueOrThrow({ where: { id: sid } });
    const lifetime = (row.expiresAt.getTime() - Date.now()) / 1000;
    expect(lifetime).toBeGreaterThan(SESSION_MAX_AGE_SECONDS - 60);
    expect(lifetime).toBeLessThanOrEqual(SESSION_MAX_AGE_SECONDS);
    expect(await findSessionUser(user.id, sid)).toEqual(user);

    await endSession(user.id, sid);
    expect(await findSessionUser(user.id, sid)).toBeNull();
    expect((await db.userSession.findUniqueOrThrow({ where: { id: sid } })).revokedAt).not.toBeNull();
    const actions = (await db.auditEvent.findMany({ where: { actorId: user.id, teamId: null }, orderBy: { createdAt: "asc" } })).map((a) => a.action);
    expect(actions).toEqual(["user.signup", "user.signin", "user.signout"]);
    await endSession(user.id, sid); // signing out twice changes nothing more
    expect(await db.auditEvent.count({ where: { actorId: user.id, action: "user.signout" } })).toBe(1);
  });

  it("signing out ends only that session", async () => {
    const user = await makeUser();
    const [a, b] = [await startSession(user), await startSession(user)];
    await endSession(user.id, a);
    expect(await findSessionUser(user.id, a)).toBeNull();
    expect(await findSessionUser(user.id, b)).not.toBeNull();
  });

  it("refuses an expired session, an unknown one, and one presented with another user's id", async () => {
    const user = await makeUser();
    const other = await makeUser();
    const sid = await startSession(user);
    expect(await findSessionUser(other.id, sid)).toBeNull();
    expect(await findSessionUser(user.id, "no-such-session")).toBeNull();
    await endSession(other.id, sid); // another user cannot end it either
    expect(await findSessionUser(user.id, sid)).not.toBeNull();
    await db.userSession.update({ where: { id: sid }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await findSessionUser(user.id, sid)).toBeNull();
  });

  it("a deleted account's sessions end with it", async () => {
    const user = await makeUser();
    const sid = await startSession(user);
    await db.user.delete({ where: { id: user.id } });
    expect(await findSessionUser(user.id, sid)).toBeNull();
  });

  it("next-auth's own redirects (callbackUrl) stay on this site and carry no control characters", async () => {
    const baseUrl = "https://berth.example";
    const redirect = (url: string) => authOptions.callbacks!.redirect!({ url, baseUrl });
    expect(await redirect("/signin")).toBe(`${baseUrl}/signin`);
    expect(await redirect(`${baseUrl}/t/acme`)).toBe(`${baseUrl}/t/acme`);
    for (const url of [
      "https://evil.example/",
      "//evil.example",
      "/\t/evil.example",
      "/%0d%0aSet-Cookie:%20x=1",
      "\r\nhttp://evil",
      `${baseUrl}.evil.example/`,
      "not a url",
    ]) {
      expect(await redirect(url)).toBe(`${baseUrl}/`);
    }
  });
});
