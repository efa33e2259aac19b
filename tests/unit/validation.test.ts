import { describe, expect, it } from "vitest";
import { ValidationError } from "@/lib/errors";
import { slugify } from "@/lib/validation/fields";
import { parseInput } from "@/lib/validation/parse";
import { changePasswordInput, createInviteInput, createTeamInput, signUpInput } from "@/lib/validation/schemas";

function fieldErrors(schema: Parameters<typeof parseInput>[0], input: unknown) {
  try {
    parseInput(schema, input);
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return (e as ValidationError).fields;
  }
  throw new Error("expected a validation error");
}

describe("sign-up input", () => {
  it("normalises email and accepts a good password", () => {
    expect(parseInput(signUpInput, { name: " Ada ", email: " Ada@Example.COM ", password: "correct horse" })).toEqual({
      name: "Ada",
      email: "ada@example.com",
      password: "correct horse",
    });
  });

  it("names each bad field with a message a person understands", () => {
    const f = fieldErrors(signUpInput, { name: "", email: "not-an-email", password: "short" });
    expect(f.name?.[0]).toMatch(/name/i);
    expect(f.email?.[0]).toMatch(/valid email/i);
    expect(f.password?.[0]).toMatch(/at least 10/);
  });
});

describe("team input", () => {
  it("rejects slugs with bad characters and accepts an empty slug", () => {
    expect(fieldErrors(createTeamInput, { name: "Acme", slug: "-bad slug" }).slug?.[0]).toMatch(/lowercase/);
    expect(parseInput(createTeamInput, { name: "Acme", slug: "" }).slug).toBeUndefined();
  });

  it("slugifies names", () => {
    expect(slugify("  Ünïcode Team!! 2 ")).toBe("unicode-team-2");
    expect(slugify("---")).toBe("");
    expect(slugify("x".repeat(60))).toHaveLength(40);
  });
});

describe("invite input", () => {
  it("defaults to 7 days and bounds the expiry", () => {
    expect(parseInput(createInviteInput, { email: "a@b.co", role: "VIEWER" }).expiresInDays).toBe(7);
    expect(fieldErrors(createInviteInput, { email: "a@b.co", role: "VIEWER", expiresInDays: "0" }).expiresInDays).toBeTruthy();
    expect(fieldErrors(createInviteInput, { email: "a@b.co", role: "GOD" }).role).toBeTruthy();
  });
});

describe("password change input", () => {
  it("refuses reusing the current password", () => {
    expect(fieldErrors(changePasswordInput, { currentPassword: "same-password-1", newPassword: "same-password-1" }).newPassword?.[0]).toMatch(/different/);
  });
});
