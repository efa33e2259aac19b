import { describe, expect, it } from "vitest";
import { hashInviteToken, inviteStatus, newInviteToken } from "@/lib/data/invite-token";
import { pgConfigFromUrl } from "@/lib/pg-config";

describe("invite tokens", () => {
  it("stores only a hash that matches the token", () => {
    const { token, tokenHash } = newInviteToken();
    expect(token.length).toBeGreaterThanOrEqual(43);
    expect(tokenHash).toBe(hashInviteToken(token));
    expect(tokenHash).not.toContain(token);
  });

  it("derives status: accepted and revoked win over expiry", () => {
    const past = new Date(Date.now() - 1000);
    const future = new Date(Date.now() + 60_000);
    expect(inviteStatus({ acceptedAt: null, revokedAt: null, expiresAt: future })).toBe("pending");
    expect(inviteStatus({ acceptedAt: null, revokedAt: null, expiresAt: past })).toBe("expired");
    expect(inviteStatus({ acceptedAt: past, revokedAt: null, expiresAt: past })).toBe("accepted");
    expect(inviteStatus({ acceptedAt: null, revokedAt: past, expiresAt: future })).toBe("revoked");
  });
});

describe("pgConfigFromUrl", () => {
  it("splits a URL into the adapter's fields, decoding escapes", () => {
    expect(pgConfigFromUrl("postgresql://u%40x:p%2Fw@db.local:6543/berth")).toEqual({
      host: "db.local",
      port: 6543,
      user: "u@x",
      password: "p/w",
      database: "berth",
    });
    expect(() => pgConfigFromUrl("mysql://x@y/z")).toThrow(/postgresql/);
  });
});
