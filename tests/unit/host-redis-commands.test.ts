// The host login's allowlist (lib/hosts/redis-acl.ts) covers every command BullMQ's Lua scripts call: a
// BullMQ upgrade that calls something new fails here, not as a NOPERM on a host. Scripts for features the
// agent does not use are left out: the relay (BullMQ's pub/sub over streams) and pagination (HSCAN/SSCAN of
// a parent's dependencies).
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { HOST_COMMANDS } from "@/lib/hosts/redis-acl";

const dir = path.join(process.cwd(), "node_modules", "bullmq", "dist", "cjs", "commands");
const UNUSED = /^(relay|paginate)/;

function scripts(): { name: string; text: string }[] {
  const top = fs.readdirSync(dir).filter((f) => f.endsWith(".lua") && !UNUSED.test(f));
  const includes = fs.readdirSync(path.join(dir, "includes")).filter((f) => f.endsWith(".lua") && !UNUSED.test(f));
  return [...top.map((f) => path.join(dir, f)), ...includes.map((f) => path.join(dir, "includes", f))].map((f) => ({
    name: path.basename(f),
    text: fs.readFileSync(f, "utf8"),
  }));
}

describe("a host's Redis allowlist", () => {
  it("holds every command BullMQ's scripts call", () => {
    const found = scripts();
    expect(found.length).toBeGreaterThan(40);
    const called = new Set<string>();
    for (const s of found) for (const m of s.text.matchAll(/(?:rcall|redis\.p?call)\(\s*["']([A-Za-z]+)["']/g)) called.add(m[1]!.toLowerCase());
    expect(called.size).toBeGreaterThan(20);
    expect([...called].filter((c) => !HOST_COMMANDS.includes(c)).sort()).toEqual([]);
  });

  it("names no command that lists, watches or stops other tenants", () => {
    for (const c of [
      "scan",
      "keys",
      "randomkey",
      "client",
      "client|list",
      "client|kill",
      "client|pause",
      "monitor",
      "config",
      "flushall",
      "flushdb",
      "publish",
      "subscribe",
      "acl",
      "script",
      "debug",
    ])
      expect(HOST_COMMANDS).not.toContain(c);
  });
});
