// Deploy keys made with node:crypto, checked against the real ssh-keygen.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { generateDeployKey, publicKeyFingerprint } from "@/lib/git/deploy-key";

const SSH_KEYGEN = "/usr/bin/ssh-keygen";
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "berth-deploy-key-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function writeKey(name: string, content: string): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, content, { mode: 0o600 });
  return file;
}

/** "type base64" without the comment. */
const keyPart = (line: string) => line.trim().split(" ").slice(0, 2).join(" ");

describe("generateDeployKey", () => {
  it("writes a private key that ssh-keygen reads back to the same public key", () => {
    const key = generateDeployKey("berth deploy key for acme/app");
    expect(key.publicKey).toMatch(/^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI[A-Za-z0-9+/]{43} berth deploy key for acme\/app$/);
    expect(key.privateKey).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----\n[A-Za-z0-9+/=\n]+\n-----END OPENSSH PRIVATE KEY-----\n$/);
    const file = writeKey("id_one", key.privateKey);
    const derived = execFileSync(SSH_KEYGEN, ["-y", "-f", file], { encoding: "utf8" });
    expect(keyPart(derived)).toBe(keyPart(key.publicKey));
    // ssh-keygen also reads our comment out of the private section.
    expect(derived.trim()).toBe(key.publicKey);
  });

  it("has the layout OpenSSH writes: no cipher, no kdf, matching check ints, padding 1, 2, 3…", () => {
    const key = generateDeployKey("layout");
    const b64 = key.privateKey.split("\n").slice(1, -2);
    expect(b64.slice(0, -1).every((l) => l.length === 70)).toBe(true);
    const body = Buffer.from(b64.join(""), "base64");
    let at = 0;
    const str = () => {
      const n = body.readUInt32BE(at);
      const s = body.subarray(at + 4, at + 4 + n);
      at += 4 + n;
      return s;
    };
    expect(body.subarray(0, 15).toString("latin1")).toBe("openssh-key-v1\0");
    at = 15;
    expect(str().toString()).toBe("none");
    expect(str().toString()).toBe("none");
    expect(str().length).toBe(0);
    expect(body.readUInt32BE(at)).toBe(1);
    at += 4;
    str(); // public blob
    const section = str();
    expect(at).toBe(body.length);
    expect(section.length % 8).toBe(0);
    expect(section.readUInt32BE(0)).toBe(section.readUInt32BE(4));
    // type (4+11), public (4+32), secret (4+64), comment (4+6) after the two check ints.
    const end = 8 + 15 + 36 + 68 + 10;
    expect(section.subarray(end - 6, end).toString()).toBe("layout");
    expect([...section.subarray(end)]).toEqual(Array.from({ length: section.length - end }, (_, i) => i + 1));
  });

  it("makes a different key every time, with random check ints", () => {
    const a = generateDeployKey("x");
    const b = generateDeployKey("x");
    expect(a.publicKey).not.toBe(b.publicKey);
    expect(a.privateKey).not.toBe(b.privateKey);
  });

  it("accepts an empty comment and leaves it off the public key", () => {
    const key = generateDeployKey("");
    expect(key.publicKey).toMatch(/^ssh-ed25519 [A-Za-z0-9+/]+$/);
    const derived = execFileSync(SSH_KEYGEN, ["-y", "-f", writeKey("id_empty", key.privateKey)], { encoding: "utf8" });
    expect(keyPart(derived)).toBe(key.publicKey);
  });

  it.each([
    ["a newline", "deploy\nkey"],
    ["a carriage return", "deploy\rkey"],
    ["a tab", "deploy\tkey"],
    ["a NUL", "deploy\0key"],
    ["DEL", "deploy\x7fkey"],
    ["non-ASCII", "déploiement"],
    ["a bidi override", "deploy\u202ekey"],
    ["a leading space", " key"],
    ["a trailing space", "key "],
    ["101 characters", "k".repeat(101)],
  ])("refuses a comment with %s", (_what, comment) => {
    expect(() => generateDeployKey(comment)).toThrow(/Invalid key comment/);
  });

  it("accepts a 100-character comment", () => {
    expect(generateDeployKey("k".repeat(100)).publicKey.endsWith(` ${"k".repeat(100)}`)).toBe(true);
  });
});

describe("publicKeyFingerprint", () => {
  it("matches ssh-keygen -l", () => {
    const key = generateDeployKey("fingerprint me");
    const file = writeKey("id_fp.pub", `${key.publicKey}\n`);
    const out = execFileSync(SSH_KEYGEN, ["-l", "-E", "sha256", "-f", file], { encoding: "utf8" });
    // "256 SHA256:… fingerprint me (ED25519)"
    const fp = publicKeyFingerprint(key.publicKey);
    expect(fp).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(out.split(" ")[1]).toBe(fp);
    // The comment plays no part.
    expect(publicKeyFingerprint(keyPart(key.publicKey))).toBe(fp);
  });

  it("refuses what is not a public key line", () => {
    const key = generateDeployKey("x");
    expect(() => publicKeyFingerprint("")).toThrow(/Invalid public key/);
    expect(() => publicKeyFingerprint(key.privateKey)).toThrow(/Invalid public key/);
    expect(() => publicKeyFingerprint(key.publicKey.replace("ssh-ed25519", "ssh-rsa"))).toThrow(/does not match/);
  });
});
