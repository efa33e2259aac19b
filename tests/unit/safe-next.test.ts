import { describe, expect, it } from "vitest";
import { safeNext } from "@/lib/http/safe-next";

// Known open-redirect payloads, each as `next` arrives on the server (the query string already decoded
// once by the framework). Every one must fall back to the default.
const REFUSED: string[] = [
  // another origin outright
  "https://evil.example",
  "http:evil.example",
  "https:evil.example",
  "https:/evil.example",
  "//evil.example",
  "///evil.example",
  "////evil.example",
  "javascript:alert(1)",
  "data:text/html,<script>alert(1)</script>",
  "evil.example",
  "",
  // backslashes, which browsers read as slashes
  "/\\evil.example",
  "\\/\\/evil.example",
  "\\\\evil.example",
  "/\\/evil.example",
  "/%5Cevil.example",
  "/%5c%5cevil.example",
  // characters browsers strip from URLs: tab, CR, LF (raw and as they arrive once decoded)
  "/\t/evil.example",
  "/\n/evil.example",
  "/\r/evil.example",
  "/\r\n/evil.example",
  "\t//evil.example",
  " //evil.example",
  "/%09/evil.example",
  "/%0a/evil.example",
  "/%0d%0a/evil.example",
  "/%00/evil.example",
  "/\u0000/evil.example",
  "/t/acme\r\nSet-Cookie: x=1",
  "/t/acme%0d%0aLocation:%20https://evil.example",
  // encoded slashes a second decoding turns into `//`
  "/%2F%2Fevil.example",
  "/%2f/evil.example",
  "%2F%2Fevil.example",
  "/%252F%252Fevil.example".replace("%25", "%"), // "/%2F%252Fevil…": decodes to "//%2Fevil…"
  // dot segments that collapse into `//host`
  "/.//evil.example",
  "/..//evil.example",
  "/./\\evil.example",
  // unicode look-alikes of slashes and dots, and invisible characters
  "/\uFF0F\uFF0Fevil.example",
  "/\u2215\u2215evil.example",
  "/\u2044\u2044evil.example",
  "/%EF%BC%8F%EF%BC%8Fevil.example",
  "/\u200B/evil.example",
  "/\u3002evil.example",
  // malformed escapes
  "/%E0%A4%A",
  "/%",
];

const ALLOWED: [string, string][] = [
  ["/", "/"],
  ["/t/acme", "/t/acme"],
  ["/t/acme/hosts/abc/containers/def", "/t/acme/hosts/abc/containers/def"],
  ["/t/acme/variables/history?scope=TEAM&key=API_URL&back=%2Ft%2Facme", "/t/acme/variables/history?scope=TEAM&key=API_URL&back=%2Ft%2Facme"],
  ["/t/acme?q=two%20words", "/t/acme?q=two%20words"],
  ["/invite/abc_DEF-123", "/invite/abc_DEF-123"],
  ["/t/acme/../other", "/t/other"],
];

describe("safeNext", () => {
  it.each(REFUSED.map((p) => [JSON.stringify(p), p]))("refuses %s", (_label, payload) => {
    expect(safeNext(payload)).toBe("/");
    expect(safeNext(payload, "/t/home")).toBe("/t/home");
  });

  it.each(ALLOWED)("keeps the same-site path %s", (input, output) => {
    expect(safeNext(input)).toBe(output);
  });

  it("refuses what is not one string (a repeated query parameter arrives as an array)", () => {
    expect(safeNext(undefined)).toBe("/");
    expect(safeNext(null)).toBe("/");
    expect(safeNext(["/t/a", "//evil.example"])).toBe("/");
    expect(safeNext(`/${"a".repeat(5000)}`)).toBe("/");
  });

  it("never returns anything that resolves off-site or carries a control character", () => {
    for (const payload of [...REFUSED, ...ALLOWED.map(([p]) => p)]) {
      const out = safeNext(payload);
      expect(new URL(out, "https://berth.example").origin).toBe("https://berth.example");
      expect(out).not.toMatch(/[\u0000-\u001f\u007f\\]/);
      expect(out.startsWith("//")).toBe(false);
    }
  });
});
