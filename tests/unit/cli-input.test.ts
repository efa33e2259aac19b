// The CLI's checks of what a user types, before any request: service and environment paths, release
// numbers, Berth's address.
import { describe, expect, it } from "vitest";
import { normalizeUrl } from "@/cli/config";
import { CliError, EXIT } from "@/cli/errors";
import { parseEnvPath, parseReleaseNumber, parseServicePath } from "@/cli/paths";

const usage = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CliError);
    expect((e as CliError).exitCode).toBe(EXIT.usage);
    return (e as CliError).message;
  }
  throw new Error("expected a usage error");
};

describe("paths", () => {
  it("reads project/env/service and project/env", () => {
    expect(parseServicePath("shop/staging/web")).toEqual({ project: "shop", env: "staging", service: "web" });
    expect(parseServicePath("my-app/prod_1/api.v2")).toEqual({ project: "my-app", env: "prod_1", service: "api.v2" });
    expect(parseEnvPath("shop/staging")).toEqual({ project: "shop", env: "staging" });
  });

  it("refuses the wrong number of parts, empty parts and characters no name has, saying what was expected", () => {
    expect(usage(() => parseServicePath("shop/web"))).toBe('Expected <project>/<env>/<service>, e.g. shop/staging/web; got "shop/web".');
    expect(usage(() => parseServicePath("shop/staging/web/x"))).toMatch(/got "shop\/staging\/web\/x"/);
    expect(usage(() => parseServicePath("shop//web"))).toMatch(/the env is missing/);
    expect(usage(() => parseServicePath("shop/staging/../x"))).toMatch(/Expected/);
    expect(usage(() => parseServicePath("shop/st aging/web"))).toMatch(/"st aging" is not a valid env name/);
    expect(usage(() => parseServicePath("shop/staging/we%2fb"))).toMatch(/not a valid service name/);
    expect(usage(() => parseEnvPath("shop/staging/web"))).toMatch(/Expected <project>\/<env>, e.g. shop\/staging/);
    expect(usage(() => parseEnvPath("-shop/staging"))).toMatch(/"-shop" is not a valid project name/);
  });

  it("reads release numbers as 3 or #3 and nothing else", () => {
    expect(parseReleaseNumber("3")).toBe(3);
    expect(parseReleaseNumber("#12")).toBe(12);
    for (const bad of ["0", "-1", "1.5", "x", "", "#", "3x", "01", "9999999999"]) expect(usage(() => parseReleaseNumber(bad))).toMatch(/release number/);
  });
});

describe("Berth's address", () => {
  it("keeps the origin, adding https:// when no scheme is given", () => {
    expect(normalizeUrl("https://berth.example.com/")).toBe("https://berth.example.com");
    expect(normalizeUrl("http://localhost:3000/t/team?x=1")).toBe("http://localhost:3000");
    expect(normalizeUrl("berth.example.com")).toBe("https://berth.example.com");
  });

  it("refuses other schemes, credentials in the URL and what is not a URL", () => {
    expect(usage(() => normalizeUrl("ftp://berth.example.com"))).toMatch(/http:\/\/ or https:\/\//);
    expect(usage(() => normalizeUrl("https://me:pw@berth.example.com"))).toMatch(/Leave the user and password out/);
    expect(usage(() => normalizeUrl("http://"))).toMatch(/not a URL/);
  });
});
