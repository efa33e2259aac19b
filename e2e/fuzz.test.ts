// Every entry point under malformed input answers 4xx, never 5xx: each API route (from the build's route
// manifest), each server action (from the build's server-action manifest) and each page, with broken ids,
// bodies, encodings and headers, signed in as a team owner. The list of entry points comes from the build, so
// a new route or action is fuzzed without anyone remembering to add it here.
import { API_BASE } from "@/lib/api/http";
import { OPERATIONS } from "@/lib/api/registry";
import fs from "node:fs";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { baseUrl, createTeam, launch, newPage, signUp, uniqueEmail } from "./support/browser";
import { rawRequest, type RawRequest } from "./support/raw-http";

const manifest = (name: string) => JSON.parse(fs.readFileSync(path.join(process.cwd(), ".next/server", name), "utf8"));

let browser: Browser;
let cookie: string;
let slug: string;

beforeAll(async () => {
  browser = await launch();
  const page = await newPage(browser);
  await signUp(page, { name: "Fuzz Owner", email: uniqueEmail("fuzz") });
  slug = await createTeam(page, `Fuzz ${Date.now().toString(36)}`);
  cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
});
afterAll(async () => {
  await browser?.close();
});

// Values for ids and slugs in paths: percent-encoded (as a browser would send them) unless raw.
const BAD_PARAMS = [
  "%ff", // invalid UTF-8
  "%c0%af", // overlong encoding
  "%ed%a0%80", // a surrogate encoded as UTF-8
  "%00",
  "a%00b",
  "%0d%0aX-Injected:%201",
  "..%2f..%2fetc%2fpasswd",
  "x".repeat(3000),
  "%E2%80%AE%F0%9F%92%A5",
  "'%20OR%201=1--",
  "%25",
];
const PLAUSIBLE_ID = "cmabcdefghijklmnop0123456";

const NUL = "\\u0000";
const JSON_BODIES: [string, string | Buffer][] = [
  ["truncated", '{"name": "x'],
  ["null", "null"],
  ["array", "[]"],
  ["string", '"x"'],
  ["huge number", "1e999"],
  ["NUL in every field", JSON.stringify({ name: "a", email: "a@b.co", role: "VIEWER", action: "stop", data: "x" }).replace(/"a"/g, `"a${NUL}"`)],
  ["NUL everywhere", `{"name":"${NUL}","email":"${NUL}@x.co","role":"${NUL}","action":"${NUL}","environmentId":"${NUL}","confirm":"${NUL}","input":"${NUL}"}`],
  ["lone surrogate", '{"name":"\\ud800","email":"\\udc00@x.co","role":"VIEWER","action":"\\ud800","input":"\\udfff"}'],
  ["deep nesting", `${"[".repeat(20_000)}${"]".repeat(20_000)}`],
  ["wrong types", JSON.stringify({ name: 1, email: ["a"], role: { x: 1 }, action: null, environmentId: true, confirm: 3, input: {} })],
  ["prototype keys", '{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}},"role":"OWNER"}'],
  ["invalid UTF-8", Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xff, 0xfe, 0xed, 0xa0, 0x80]), Buffer.from('"}')])],
  ["2 MB", JSON.stringify({ name: "x".repeat(2 * 1024 * 1024) })],
];

type Failure = string;

// An upload over the limit may be cut off once the server has refused it (it stops reading): a reset is an
// acceptable end for those, never a 5xx. A crashed server is caught by the last request of the sweep.
const isOversized = (r: RawRequest) => (r.body?.length ?? 0) > 1024 * 1024;

async function sweep(requests: (RawRequest & { label: string })[], concurrency = 4): Promise<Failure[]> {
  const failures: Failure[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests.length) {
        const r = requests[next++]!;
        try {
          const res = await rawRequest(baseUrl(), { ...r, headers: { cookie, ...r.headers } });
          if (res.status >= 500 || !res.status) failures.push(`${res.status} ${r.label}`);
        } catch (e) {
          const cut = /EPIPE|ECONNRESET/.test((e as Error).message);
          if (!(cut && isOversized(r))) failures.push(`no answer (${(e as Error).message}) ${r.label}`);
        }
      }
    }),
  );
  console.log(`fuzz: ${requests.length} requests, ${failures.length} answered 5xx or not at all`);
  return failures;
}

/** `/api/v1/teams/[slug]/x/[id]` → concrete paths: the real slug with a plausible id, then each bad value. */
function concretePaths(pattern: string): string[] {
  const fill = (bad?: string) => pattern.replace(/\[\.{3}(\w+)\]|\[(\w+)\]/g, (_m, _rest, name) => bad ?? (name === "slug" ? slug : PLAUSIBLE_ID));
  const real = fill();
  const params = pattern.match(/\[[.\w]+\]/g) ?? [];
  if (!params.length) return [real];
  const out = [real];
  for (const bad of BAD_PARAMS) {
    // One parameter broken at a time, the rest real, so the broken one is what gets parsed.
    params.forEach((p) => {
      out.push(pattern.replace(/\[\.{3}(\w+)\]|\[(\w+)\]/g, (m, _rest, name) => (m === p ? bad : name === "slug" ? slug : PLAUSIBLE_ID)));
    });
  }
  return out;
}

function routePatterns(kind: "route" | "page"): string[] {
  return Object.keys(manifest("app-paths-manifest.json"))
    .filter((k) => k.endsWith(`/${kind}`) && !k.startsWith("/_"))
    .map((k) => k.replace(/\/\([^)]+\)/g, "").replace(new RegExp(`/${kind}$`), "") || "/");
}

/** Route files, with the JSON API's catch-all replaced by each operation's own path. */
function apiPatterns(): string[] {
  const ops = OPERATIONS.map((op) => API_BASE + op.path.replace(/\{team\}/g, "[slug]").replace(/\{(\w+)\}/g, "[$1]"));
  return [...routePatterns("route").filter((p) => !p.startsWith(API_BASE)), ...new Set(ops)];
}

describe("malformed input never gets a 5xx", () => {
  it("API routes", async () => {
    const requests: (RawRequest & { label: string })[] = [];
    for (const pattern of apiPatterns()) {
      const [real, ...bad] = concretePaths(pattern);
      for (const p of bad) {
        requests.push({ method: "GET", path: p, label: `GET ${p}` });
        requests.push({ method: "POST", path: p, headers: { "content-type": "application/json" }, body: "{}", label: `POST ${p}` });
      }
      for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
        for (const [name, body] of JSON_BODIES) {
          requests.push({ method, path: real!, headers: { "content-type": "application/json" }, body, label: `${method} ${real} (${name})` });
        }
        requests.push({
          method,
          path: real!,
          headers: { "content-type": "application/json" },
          body: JSON_BODIES.at(-1)![1],
          chunked: true,
          label: `${method} ${real} (2 MB chunked)`,
        });
        requests.push({ method, path: real!, headers: { "content-type": "text/plain" }, body: "x", label: `${method} ${real} (text)` });
        requests.push({
          method,
          path: real!,
          headers: { "content-type": "application/json", origin: "http://evil.example" },
          body: "{}",
          label: `${method} ${real} (foreign origin)`,
        });
        requests.push({
          method,
          path: real!,
          headers: { "content-type": "application/json", origin: "not a url" },
          body: "{}",
          label: `${method} ${real} (malformed origin)`,
        });
      }
    }
    // next-auth's own routes take forms and query strings.
    for (const p of ["/api/auth/callback/credentials", "/api/auth/signin/credentials", "/api/auth/signout", "/api/auth/%ff", "/api/auth/session?x=%00"]) {
      requests.push({
        method: "POST",
        path: p,
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "email=%00&password=%ff&csrfToken=%0d%0a&callbackUrl=%0d%0ahttp://evil",
        label: `POST ${p} (form)`,
      });
      requests.push({ method: "GET", path: `${p}${p.includes("?") ? "&" : "?"}callbackUrl=%0d%0aSet-Cookie:%20x=1`, label: `GET ${p} (callbackUrl)` });
    }
    expect(requests.length).toBeGreaterThan(300);
    expect(await sweep(requests)).toEqual([]);
    expect((await fetch(`${baseUrl()}/signin`)).status).toBe(200);
  });

  it("server actions", async () => {
    const actions = Object.entries(
      manifest("server-reference-manifest.json").node as Record<string, { workers: Record<string, unknown>; exportedName: string }>,
    );
    expect(actions.length).toBeGreaterThan(30);
    const requests: (RawRequest & { label: string })[] = [];
    for (const [id, a] of actions) {
      const page =
        Object.keys(a.workers)[0]!
          .replace(/^app/, "")
          .replace(/\/\([^)]+\)/g, "")
          .replace(/\/page$/, "") || "/";
      const at = page.replace(/\[(\w+)\]/g, (_m, name) => (name === "slug" ? slug : PLAUSIBLE_ID));
      const headers = { "next-action": id, accept: "text/x-component" };
      const label = (what: string) => `action ${a.exportedName} at ${at} (${what})`;
      const boundary = "----fuzz";
      const fields = ["team", "hostId", "serviceId", "deploymentId", "project", "env", "name", "value", "key", "email", "role", "token", "dotenv", "confirm"];
      const multipart = (value: Buffer) =>
        Buffer.concat([
          ...fields.flatMap((f) => [Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="1_${f}"\r\n\r\n`), value, Buffer.from("\r\n")]),
          Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="0"\r\n\r\n["$K1"]\r\n--${boundary}--\r\n`),
        ]);
      const mp = { ...headers, "content-type": `multipart/form-data; boundary=${boundary}` };
      requests.push(
        { method: "POST", path: at, headers: mp, body: multipart(Buffer.from(`${slug}\0`)), label: label("NUL in fields") },
        { method: "POST", path: at, headers: mp, body: multipart(Buffer.from([0xff, 0xed, 0xa0, 0x80])), label: label("invalid UTF-8 in fields") },
        { method: "POST", path: at, headers: mp, body: multipart(Buffer.from("x".repeat(50_000))), label: label("long fields") },
        { method: "POST", path: at, headers: mp, body: "--broken", label: label("broken multipart") },
        {
          method: "POST",
          path: at,
          headers: { ...headers, "content-type": "text/plain;charset=UTF-8" },
          body: '["not form data"]',
          label: label("a string argument"),
        },
        { method: "POST", path: at, headers: { ...headers, "content-type": "text/plain;charset=UTF-8" }, body: "[null, 7]", label: label("numbers") },
        { method: "POST", path: at, headers: { ...headers, "content-type": "text/plain;charset=UTF-8" }, body: "{", label: label("truncated") },
        { method: "POST", path: at, headers: { ...headers, "content-type": "application/json" }, body: '{"team":1}', label: label("JSON") },
        { method: "POST", path: at, headers: { ...mp, origin: "http://evil.example" }, body: multipart(Buffer.from(slug)), label: label("foreign origin") },
        { method: "POST", path: at, headers: { ...mp, origin: "::" }, body: multipart(Buffer.from(slug)), label: label("malformed origin") },
        { method: "POST", path: at, headers: mp, body: multipart(Buffer.from("y".repeat(200_000))), label: label("2.8 MB") },
        { method: "POST", path: at, headers: mp, body: multipart(Buffer.from("y".repeat(200_000))), chunked: true, label: label("2.8 MB chunked") },
        { method: "GET", path: at, headers, label: label("GET") },
      );
    }
    expect(await sweep(requests)).toEqual([]);
    expect((await fetch(`${baseUrl()}/signin`)).status).toBe(200);
  });

  it("pages", async () => {
    const requests: (RawRequest & { label: string })[] = [];
    for (const pattern of routePatterns("page")) {
      for (const p of concretePaths(pattern)) requests.push({ method: "GET", path: p, label: `GET ${p}` });
      const real = concretePaths(pattern)[0]!;
      for (const q of [
        "?q=%00",
        "?q=%ff",
        "?state=%0d%0a",
        "?next=%0d%0aSet-Cookie:x",
        "?next=/%09/evil.example",
        "?from=%00&to=%ff",
        `?x=${"y".repeat(6000)}`,
      ]) {
        requests.push({ method: "GET", path: real + q, label: `GET ${real}${q}` });
      }
    }
    // Raw bytes a browser would have encoded: the server must still answer 4xx.
    for (const raw of [Buffer.from([0x2f, 0x74, 0x2f, 0xff]), Buffer.from("/t/a\tb"), Buffer.from("/signin?next=/\u0000")]) {
      requests.push({ method: "GET", path: raw, label: `GET raw ${JSON.stringify(raw.toString("latin1"))}` });
    }
    expect(await sweep(requests)).toEqual([]);
    const still = await fetch(`${baseUrl()}/signin`);
    expect(still.status).toBe(200);
  });
});
