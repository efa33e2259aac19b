import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { masterKeysFromEnv, needsReseal, open, seal, SecretOpenError } from "@/lib/crypto/secret-box";

const hex = () => randomBytes(32).toString("hex");

describe("secret box", () => {
  const keys = masterKeysFromEnv({ BERTH_MASTER_KEY: hex() });

  it("round-trips, with a fresh IV each time and no plaintext in the output", () => {
    const a = seal("postgres://u:hunter2@db/x", "var:1:DATABASE_URL", keys);
    const b = seal("postgres://u:hunter2@db/x", "var:1:DATABASE_URL", keys);
    expect(a).not.toBe(b);
    expect(a).not.toContain("hunter2");
    expect(open(a, "var:1:DATABASE_URL", keys)).toBe("postgres://u:hunter2@db/x");
    expect(open(seal("", "x", keys), "x", keys)).toBe("");
    expect(open(seal("ünïcødé ✓", "x", keys), "x", keys)).toBe("ünïcødé ✓");
  });

  it("detects tampering with the ciphertext, the tag or the IV", () => {
    const sealed = seal("secret-value", "aad", keys);
    const parts = sealed.split(":");
    for (const i of [2, 3, 4]) {
      const bytes = Buffer.from(parts[i]!, "base64");
      bytes[0]! ^= 1;
      const bad = [...parts];
      bad[i] = bytes.toString("base64");
      expect(() => open(bad.join(":"), "aad", keys)).toThrow(SecretOpenError);
    }
  });

  it("does not open in another row (associated data)", () => {
    const sealed = seal("secret-value", "var:1:TOKEN", keys);
    expect(() => open(sealed, "var:2:TOKEN", keys)).toThrow(/does not belong here/);
  });

  it("rotates: old values open under the previous key and are flagged for re-sealing", () => {
    const oldKey = hex();
    const old = masterKeysFromEnv({ BERTH_MASTER_KEY: oldKey });
    const sealed = seal("v", "aad", old);
    const rotated = masterKeysFromEnv({ BERTH_MASTER_KEY: hex(), BERTH_MASTER_KEYS_PREVIOUS: oldKey });
    expect(open(sealed, "aad", rotated)).toBe("v");
    expect(needsReseal(sealed, rotated)).toBe(true);
    const resealed = seal(open(sealed, "aad", rotated), "aad", rotated);
    expect(needsReseal(resealed, rotated)).toBe(false);
    expect(() => open(sealed, "aad", masterKeysFromEnv({ BERTH_MASTER_KEY: hex() }))).toThrow(/unknown master key/);
  });

  it("refuses bad keys and a master key equal to the session secret", () => {
    expect(() => masterKeysFromEnv({})).toThrow(/BERTH_MASTER_KEY is not set/);
    expect(() => masterKeysFromEnv({ BERTH_MASTER_KEY: "abcd" })).toThrow(/64 hex/);
    const k = hex();
    expect(() => masterKeysFromEnv({ BERTH_MASTER_KEY: k, NEXTAUTH_SECRET: k })).toThrow(/differ/);
  });
});
