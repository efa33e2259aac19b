import { describe, expect, it } from "vitest";
import { createOpeningKey, PUBLIC_KEY, SealedBoxError, sealTo } from "@/lib/crypto/sealed-box";

describe("sealed box (X25519 → HKDF-SHA256 → AES-256-GCM)", () => {
  it("opens with the recipient's key only, and the public key is all the sealer needs", () => {
    const me = createOpeningKey();
    expect(me.publicKey).toMatch(PUBLIC_KEY);
    const box = sealTo(me.publicKey, "DB_PASSWORD=hunter2", "job:1");
    expect(me.open(box, "job:1")).toBe("DB_PASSWORD=hunter2");
    expect(me.open(sealTo(me.publicKey, "", "x"), "x")).toBe("");
    expect(me.open(sealTo(me.publicKey, "ünïcødé ✓", "x"), "x")).toBe("ünïcødé ✓");
    expect(() => createOpeningKey().open(box, "job:1")).toThrow(SealedBoxError);
  });

  it("never shows the plaintext, in clear or in base64, and differs every time", () => {
    const me = createOpeningKey();
    const secret = "s3cr3t-value-that-must-not-show";
    const a = sealTo(me.publicKey, secret, "aad");
    const b = sealTo(me.publicKey, secret, "aad");
    expect(a).not.toBe(b);
    for (const form of [secret, Buffer.from(secret).toString("base64"), Buffer.from(secret).toString("base64url")]) expect(a).not.toContain(form);
  });

  it("is bound to its context", () => {
    const me = createOpeningKey();
    const box = sealTo(me.publicKey, "value", "container.env:7");
    expect(() => me.open(box, "container.env:8")).toThrow(SealedBoxError);
  });

  it("detects tampering with any part", () => {
    const me = createOpeningKey();
    const parts = sealTo(me.publicKey, "some result", "aad").split(".");
    for (const i of [1, 2, 3, 4]) {
      const bytes = Buffer.from(parts[i]!, "base64url");
      bytes[0]! ^= 1;
      const bad = [...parts];
      bad[i] = bytes.toString("base64url");
      expect(() => me.open(bad.join("."), "aad")).toThrow(SealedBoxError);
    }
    expect(() => me.open(parts.slice(0, 4).join("."), "aad")).toThrow(SealedBoxError);
    expect(() => me.open(`${parts.join(".")}.x`, "aad")).toThrow(SealedBoxError);
    expect(() => me.open("v1:abc:def", "aad")).toThrow(SealedBoxError);
  });

  it("refuses a recipient that is not a public key", () => {
    for (const bad of ["", "short", "A".repeat(44), `${"A".repeat(42)}=`]) expect(() => sealTo(bad, "x", "aad")).toThrow(SealedBoxError);
  });

  it("seals a large result (a 5,000-line log) without trouble", () => {
    const me = createOpeningKey();
    const text = Array.from({ length: 5000 }, (_, i) => `line ${i} ${"x".repeat(200)}`).join("\n");
    expect(me.open(sealTo(me.publicKey, text, "logs"), "logs")).toBe(text);
  });
});
