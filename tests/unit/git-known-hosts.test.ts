// Pinned SSH host keys as known_hosts lines: what is accepted, and fingerprints exactly as ssh-keygen prints them.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fileUnder, formatKnownHosts, hostKeyFingerprints, parseKnownHosts } from "@/lib/git/known-hosts";
import { buildCacheTag, buildSettingsHash } from "@/workers/agent/build/image-cache";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "berth-known-hosts-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function hostKey(type: "ed25519" | "ecdsa" | "rsa") {
  const file = path.join(tmp, `key-${type}-${Math.random().toString(36).slice(2)}`);
  execFileSync("ssh-keygen", ["-q", "-t", type, ...(type === "rsa" ? ["-b", "2048"] : []), "-N", "", "-f", file]);
  return fs.readFileSync(`${file}.pub`, "utf8").trim().split(" ").slice(0, 2).join(" ");
}

describe("parseKnownHosts", () => {
  it("reads the lines ssh writes, with fingerprints as `ssh-keygen -lf` prints them", () => {
    const keys = [hostKey("ed25519"), hostKey("ecdsa"), hostKey("rsa")];
    const text = `# pinned\n\ngit.example.com ${keys[0]}\n[10.0.0.7]:2222 ${keys[1]}\r\ngit.example.com ${keys[2]}\n`;
    const file = path.join(tmp, "known_hosts");
    fs.writeFileSync(file, text);
    const expected = execFileSync("ssh-keygen", ["-l", "-E", "sha256", "-f", file], { encoding: "utf8" })
      .trim()
      .split("\n")
      .map((l) => l.split(" ")[1]);
    const r = parseKnownHosts(text);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.keys.map((k) => k.fingerprint)).toEqual(expected);
    expect(r.keys.map((k) => k.host)).toEqual(["git.example.com", "[10.0.0.7]:2222", "git.example.com"]);
    expect(formatKnownHosts(r.keys)).toBe(`git.example.com ${keys[0]}\n[10.0.0.7]:2222 ${keys[1]}\ngit.example.com ${keys[2]}\n`);
    expect(hostKeyFingerprints(text).map((k) => k.type)).toEqual(["ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-rsa"]);
  });

  it("drops repeated lines and files keys under another name", () => {
    const key = hostKey("ed25519");
    const r = parseKnownHosts(`127.0.0.1 ${key}\n127.0.0.1 ${key}\n`);
    expect(r.ok && r.keys.length).toBe(1);
    if (!r.ok) return;
    expect(formatKnownHosts(fileUnder(r.keys, "git.example.com"))).toBe(`git.example.com ${key}\n`);
    expect(() => fileUnder(r.keys, "*.example.com")).toThrow(/not a host name/);
  });

  it.each([
    ["a marker", (k: string) => `@revoked git.example.com ${k}`],
    ["options", (k: string) => `git.example.com ${k} comment`],
    ["a hashed host", (k: string) => `|1|F1E1KeoE/eEWhi10WpGv4OdiO6Y=|3988QV0VE8wmZL7suNrYQLITLCg= ${k}`],
    ["a wildcard", (k: string) => `*.example.com ${k}`],
    ["several names", (k: string) => `a.example.com,b.example.com ${k}`],
    ["a leading dash", (k: string) => `-oProxyCommand=x ${k}`],
    ["an unknown key type", (k: string) => `git.example.com ssh-dss ${k.split(" ")[1]}`],
    ["a blob of another type", (k: string) => `git.example.com ssh-rsa ${k.split(" ")[1]}`],
    ["broken base64", () => "git.example.com ssh-ed25519 AAAA$$"],
  ])("refuses %s", (_what, make) => {
    const r = parseKnownHosts(make(hostKey("ed25519")));
    expect(r.ok).toBe(false);
  });

  it("refuses too much", () => {
    const key = hostKey("ed25519");
    const many = Array.from({ length: 17 }, (_, i) => `h${i}.example.com ${key}`).join("\n");
    expect(parseKnownHosts(many)).toEqual({ ok: false, error: "more than 16 keys" });
    expect(parseKnownHosts("x".repeat(20_000)).ok).toBe(false);
    expect(hostKeyFingerprints("garbage")).toEqual([]);
    expect(hostKeyFingerprints(null)).toEqual([]);
  });
});

describe("build tags", () => {
  it("name the commit and the build settings, normalised as the build reads them", () => {
    const a = buildSettingsHash({ dockerfile: "Dockerfile", subdirectory: "" });
    expect(a).toMatch(/^[0-9a-f]{12}$/);
    expect(buildSettingsHash({ dockerfile: "", subdirectory: "." })).toBe(a);
    expect(buildSettingsHash({ dockerfile: "./Dockerfile", subdirectory: "./" })).toBe(a);
    expect(buildSettingsHash({ dockerfile: "Dockerfile.prod", subdirectory: "" })).not.toBe(a);
    expect(buildSettingsHash({ dockerfile: "Dockerfile", subdirectory: "app" })).not.toBe(a);
    expect(buildSettingsHash({ dockerfile: "Dockerfile", subdirectory: "./app/" })).toBe(buildSettingsHash({ dockerfile: "Dockerfile", subdirectory: "app" }));
    const sha = "a".repeat(40);
    expect(buildCacheTag("svc1", sha, a)).toBe(`berth-svc1:${sha}-${a}`);
    // Never mistaken for a release tag (berth-<service>:<number>).
    expect(buildCacheTag("svc1", "1".repeat(40), a)).not.toMatch(/:\d+$/);
    expect(() => buildCacheTag("svc1", "main", a)).toThrow();
    expect(() => buildSettingsHash({ dockerfile: "../Dockerfile", subdirectory: "" })).toThrow();
  });
});
