// Sign-in throttling against the real database: an attacker slows down their own guessing but cannot
// lock the owner out, and the account cap is lifted only by a password reset.
import { afterAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { THROTTLE } from "@/lib/auth/throttle";
import { previewPasswordReset, requestPasswordReset, resetPassword } from "@/lib/data/password-reset";
import { verifyCredentials } from "@/lib/data/users";
import { RateLimitError, UnauthorizedError } from "@/lib/errors";
import { closeQueues } from "@/lib/jobs/enqueue";
import { makeUser, PASSWORD, uniq } from "./support/factory";

afterAll(() => closeQueues());

const WRONG = "wrong-password-1";

/** Moves every recorded attempt for `email` back in time, as if `ms` had passed. */
async function timePasses(email: string, ms: number) {
  await db.$executeRaw`UPDATE "LoginAttempt" SET "createdAt" = "createdAt" - make_interval(secs => ${ms / 1000}) WHERE email = ${email}`;
}

/** Failures recorded directly, as a distributed attack from many addresses would leave them. */
async function failuresFromManyAddresses(email: string, n: number) {
  await db.loginAttempt.createMany({ data: Array.from({ length: n }, (_, i) => ({ email, ip: `198.51.100.${i % 250}-${uniq()}`, success: false })) });
}

describe("sign-in throttling", () => {
  it("an attacker's failures from one address do not stop the owner signing in from another", async () => {
    const owner = await makeUser();
    const attacker = uniq("ip-a");
    for (let i = 0; i < THROTTLE.pair.free; i++) await expect(verifyCredentials(owner.email, WRONG, attacker)).rejects.toBeInstanceOf(UnauthorizedError);
    // Even the right password is refused from the attacker's address now...
    await expect(verifyCredentials(owner.email, PASSWORD, attacker)).rejects.toBeInstanceOf(RateLimitError);
    // ...but the owner, elsewhere, signs in.
    expect((await verifyCredentials(owner.email, PASSWORD, uniq("ip-b"))).id).toBe(owner.id);
  });

  it("backs the pair off exponentially, counted from its latest failure", async () => {
    const user = await makeUser();
    const ip = uniq("ip");
    for (let i = 0; i < THROTTLE.pair.free; i++) await expect(verifyCredentials(user.email, WRONG, ip)).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(verifyCredentials(user.email, WRONG, ip)).rejects.toThrow("Try again in 1 minute, or reset your password.");
    await timePasses(user.email, 61_000);
    await expect(verifyCredentials(user.email, WRONG, ip)).rejects.toBeInstanceOf(UnauthorizedError); // the 6th failure
    await expect(verifyCredentials(user.email, PASSWORD, ip)).rejects.toThrow("Try again in 2 minutes");
    await timePasses(user.email, 61_000);
    await expect(verifyCredentials(user.email, PASSWORD, ip)).rejects.toThrow("Try again in 1 minute");
    await timePasses(user.email, 61_000);
    expect((await verifyCredentials(user.email, PASSWORD, ip)).id).toBe(user.id);
    // A success clears the pair: the owner's own typos do not count later.
    expect(await db.loginAttempt.count({ where: { email: user.email, ip, success: false } })).toBe(0);
  });

  it("counts a burst of parallel guesses one by one", async () => {
    const user = await makeUser();
    const ip = uniq("ip");
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => verifyCredentials(user.email, WRONG, ip)));
    const reasons = results.map((r) => (r.status === "rejected" ? r.reason.constructor.name : "fulfilled"));
    expect(reasons.filter((r) => r === "UnauthorizedError")).toHaveLength(THROTTLE.pair.free);
    expect(reasons.filter((r) => r === "RateLimitError")).toHaveLength(10 - THROTTLE.pair.free);
  });

  it("throttles one address guessing across many accounts, but not other addresses", async () => {
    const ip = uniq("ip-spray");
    await db.loginAttempt.createMany({ data: Array.from({ length: THROTTLE.address.free }, () => ({ email: `${uniq()}@example.test`, ip, success: false })) });
    const user = await makeUser();
    await expect(verifyCredentials(user.email, PASSWORD, ip)).rejects.toThrow(/from your network/);
    expect((await verifyCredentials(user.email, PASSWORD, uniq("ip"))).id).toBe(user.id);
  });

  it("locks an account at the cap across all addresses until its owner resets the password", async () => {
    const user = await makeUser();
    await failuresFromManyAddresses(user.email, THROTTLE.account.cap - 1);
    expect((await verifyCredentials(user.email, PASSWORD, uniq("ip"))).id).toBe(user.id); // below the cap
    await failuresFromManyAddresses(user.email, 1);
    const locked = verifyCredentials(user.email, PASSWORD, uniq("ip-home"));
    await expect(locked).rejects.toThrow(/locked after too many failed sign-ins\. Reset your password/);
    await timePasses(user.email, 2 * THROTTLE.maxWaitMs); // waiting does not help while the day's failures stand
    await expect(verifyCredentials(user.email, PASSWORD, uniq("ip-home"))).rejects.toBeInstanceOf(RateLimitError);

    // The way out an attacker cannot drive: the link in the owner's mailbox.
    await requestPasswordReset({ email: user.email }, uniq("ip-home"));
    const mail = await db.outboxEmail.findFirstOrThrow({ where: { to: user.email, teamId: null } });
    const token = mail.body.match(/\/reset\/([\w-]+)/)![1]!;
    expect((await previewPasswordReset(token)).status).toBe("pending");
    await resetPassword(token, { password: "after-the-attack-1" });
    expect((await verifyCredentials(user.email, "after-the-attack-1", uniq("ip-home"))).id).toBe(user.id);
    expect(await db.loginAttempt.count({ where: { email: user.email, success: false } })).toBe(0);
  });

  it("gives unknown emails the same answers, throttling included", async () => {
    const email = `${uniq("nobody")}@example.test`;
    const ip = uniq("ip");
    for (let i = 0; i < THROTTLE.pair.free; i++)
      await expect(verifyCredentials(email, WRONG, ip)).rejects.toThrow("That email and password do not match an account.");
    await expect(verifyCredentials(email, WRONG, ip)).rejects.toThrow("Try again in 1 minute, or reset your password.");
    await failuresFromManyAddresses(email, THROTTLE.account.cap);
    await expect(verifyCredentials(email, WRONG, uniq("ip"))).rejects.toThrow(/locked/);
  });
});
