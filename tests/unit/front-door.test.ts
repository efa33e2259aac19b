// The front door's pure rules: who the caller is behind proxies, and which requests never reach Next.js.
import { describe, expect, it } from "vitest";
import { clientAddress, normaliseForwarding, parseTrustedProxies, refusal } from "@/lib/http/front-door.mjs";
import { assertCleanJson } from "@/lib/http/body";

const none = parseTrustedProxies("");
const proxies = parseTrustedProxies("10.0.0.5, 192.168.1.0/24, ::1");

describe("clientAddress", () => {
  it("is the socket's peer when no proxy is trusted, whatever X-Forwarded-For says", () => {
    expect(clientAddress("203.0.113.9", "1.2.3.4", none)).toBe("203.0.113.9");
    expect(clientAddress("::ffff:203.0.113.9", undefined, none)).toBe("203.0.113.9");
  });
  it("walks X-Forwarded-For from the right past trusted proxies only", () => {
    expect(clientAddress("10.0.0.5", "198.51.100.7", proxies)).toBe("198.51.100.7");
    // The client prepended a lie; the hop our proxy appended is the truth.
    expect(clientAddress("10.0.0.5", "1.1.1.1, 198.51.100.7", proxies)).toBe("198.51.100.7");
    expect(clientAddress("10.0.0.5", "198.51.100.7, 192.168.1.20", proxies)).toBe("198.51.100.7");
    expect(clientAddress("::1", "198.51.100.7", proxies)).toBe("198.51.100.7");
  });
  it("stops at garbage and never returns a non-address", () => {
    expect(clientAddress("10.0.0.5", "evil, not-an-ip", proxies)).toBe("10.0.0.5");
    expect(clientAddress("10.0.0.5", "", proxies)).toBe("10.0.0.5");
  });
  it("refuses a malformed proxy list at start-up", () => {
    expect(() => parseTrustedProxies("10.0.0.0/33")).toThrow(/prefix/);
    expect(() => parseTrustedProxies("proxy.local")).toThrow(/not an IP/);
  });
});

describe("normaliseForwarding", () => {
  it("drops forwarding headers from untrusted peers and sets the client address", () => {
    const req = {
      headers: { "x-forwarded-for": "1.2.3.4", "x-forwarded-host": "evil.example", "x-berth-client-ip": "1.2.3.4" },
      socket: { remoteAddress: "203.0.113.9" },
    };
    normaliseForwarding(req, none);
    expect(req.headers).toEqual({ "x-berth-client-ip": "203.0.113.9" });
  });
  it("keeps them from a trusted proxy", () => {
    const req = {
      headers: { "x-forwarded-for": "198.51.100.7", "x-forwarded-host": "berth.example" } as Record<string, string>,
      socket: { remoteAddress: "10.0.0.5" },
    };
    normaliseForwarding(req, proxies);
    expect(req.headers["x-forwarded-host"]).toBe("berth.example");
    expect(req.headers["x-berth-client-ip"]).toBe("198.51.100.7");
  });
});

describe("refusal", () => {
  const get = (url: string, headers: Record<string, string> = {}) => refusal({ method: "GET", url, headers });
  it("lets ordinary requests through", () => {
    expect(get("/t/acme/hosts?q=web%20server&state=running")).toBeNull();
    expect(get("/t/%C3%BCber")).toBeNull();
  });
  it.each(["/t/%ff", "/t/%c0%af", "/t/a%00", "/t/%0d%0a", "/x?q=%00", "/x?next=%e0%80", "/t/a\tb", "/t/\u0000"])("refuses %j with 400", (url) => {
    expect(get(url)?.status).toBe(400);
  });
  it("refuses foreign, malformed and oversized server-action posts", () => {
    const post = (headers: Record<string, string>) =>
      refusal({ method: "POST", url: "/account", headers: { "next-action": "abc", host: "berth.local", ...headers } });
    expect(post({ origin: "http://berth.local" })).toBeNull();
    expect(post({ origin: "http://evil.example" })?.status).toBe(403);
    expect(post({ origin: "::" })?.status).toBe(403);
    expect(post({ "content-length": String(2 * 1024 * 1024) })?.status).toBe(413);
    expect(post({ "content-length": "nonsense" })?.status).toBe(413);
    expect(refusal({ method: "GET", url: "/account", headers: { "next-action": "abc" } })?.status).toBe(405);
  });
});

describe("assertCleanJson", () => {
  it("accepts ordinary JSON, emoji included", () => {
    expect(() => assertCleanJson({ a: ["x", 1, null, { b: "héllo 🚢" }] })).not.toThrow();
  });
  it.each([
    ["NUL", { a: "x\u0000" }],
    ["lone high surrogate", { a: "\ud800" }],
    ["lone low surrogate in a key", { "\udc00": 1 }],
    ["deep nesting", JSON.parse(`${"[".repeat(100)}${"]".repeat(100)}`)],
  ])("refuses %s", (_name, v) => {
    expect(() => assertCleanJson(v)).toThrow();
  });
});

describe("secureCookies", () => {
  it("marks every cookie Secure when the response is written", async () => {
    const http = await import("node:http");
    const { secureCookies, isHttps } = await import("@/lib/http/front-door.mjs");
    const res = new http.ServerResponse(new http.IncomingMessage(null as never));
    res.setHeader("set-cookie", ["a=1; Path=/; HttpOnly", "b=2; Secure; Path=/"]);
    secureCookies(res);
    res.writeHead(200);
    expect(res.getHeader("set-cookie")).toEqual(["a=1; Path=/; HttpOnly; Secure", "b=2; Secure; Path=/"]);
    const direct = new http.ServerResponse(new http.IncomingMessage(null as never));
    secureCookies(direct);
    const given = { "Set-Cookie": "c=3" as string | string[] };
    direct.writeHead(200, given);
    expect(given["Set-Cookie"]).toEqual(["c=3; Secure"]);
    expect(isHttps({ headers: { "x-forwarded-proto": "https" } })).toBe(true);
    expect(isHttps({ headers: {}, socket: {} })).toBe(false);
  });
});
