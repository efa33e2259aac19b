// Every door into Berth goes through the one chain (lib/api/invoke.ts): server actions are made from
// operations with formAction, the JSON API is the catch-all router over the same operations, and the only
// other route handlers are machine protocols that authenticate their own kind of caller.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "../..");

function files(dir: string, match: (f: string) => boolean): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...files(rel, match));
    else if (match(rel)) out.push(rel);
  }
  return out;
}

// Each with its own credential: next-auth's sign-in, a host's token or enrollment token, a git host's signed
// webhook, a host's registry login.
const MACHINE_ROUTES = [
  "app/api/auth/[...nextauth]/route.ts",
  "app/api/agent/enroll/route.ts",
  "app/api/agent/image/route.ts",
  "app/api/agent/install/[token]/route.ts",
  "app/api/agent/whoami/route.ts",
  "app/api/hooks/services/[serviceId]/route.ts",
  "app/api/registry/token/route.ts",
  "app/api/v1/[...path]/route.ts",
];

describe("entry points", () => {
  const serverFiles = files("app", (f) => /\.(ts|tsx)$/.test(f)).filter((f) =>
    /^\s*(\/\/[^\n]*\n\s*)*["']use server["']/.test(fs.readFileSync(path.join(root, f), "utf8")),
  );

  it("server actions are all made from operations (no hand-written action bodies)", () => {
    expect(serverFiles.length).toBeGreaterThan(5);
    const problems: string[] = [];
    for (const f of serverFiles) {
      const src = fs.readFileSync(path.join(root, f), "utf8");
      for (const m of src.matchAll(/^export\s+(async\s+)?function\s+(\w+)/gm)) problems.push(`${f}: ${m[2]} is written by hand`);
      for (const m of src.matchAll(/^export\s+const\s+(\w+)\s*=\s*(\w+)\(/gm)) if (m[2] !== "formAction") problems.push(`${f}: ${m[1]} is made by ${m[2]}`);
      if (/\bapiTeam\(|\bapiUser\(|\bapiSession\(/.test(src)) problems.push(`${f}: authenticates by itself instead of through the chain`);
    }
    expect(problems).toEqual([]);
  });

  it("the only route handlers are the API router and machine protocols with their own credentials", () => {
    const routes = files("app/api", (f) => /\/route\.(ts|tsx)$/.test(f)).sort();
    expect(routes).toEqual([...MACHINE_ROUTES].sort());
  });
});
