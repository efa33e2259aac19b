// Work bounded by input size: the .env parser, the reference parser and the resolver stay linear on
// adversarial inputs of about 1 MB, and each limit is a clear error. The time bounds are generous on
// purpose: they catch quadratic or exponential work (the unterminated quote took hours at 1 MB), nothing finer.
import { describe, expect, it } from "vitest";
import { DOTENV_LIMITS, parseDotenv } from "@/lib/config/dotenv";
import { parseValue } from "@/lib/config/references";
import { consumersByKey, consumersOf, RESOLVE_LIMITS, resolveEnvironment, resolveService, type ConfigLayers, type VarInput } from "@/lib/config/resolve";
import { ValidationError } from "@/lib/errors";

const MB = 1024 * 1024;
const BOUND_MS = 2000;

function timed<T>(fn: () => T): T {
  const start = performance.now();
  const out = fn();
  expect(performance.now() - start).toBeLessThan(BOUND_MS);
  return out;
}

function refused(fn: () => unknown, pattern: RegExp) {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    expect((e as ValidationError).message).toMatch(pattern);
    expect((e as ValidationError).fields.dotenv?.[0]).toMatch(pattern);
    return;
  }
  throw new Error("expected a ValidationError");
}

describe(".env parsing on 1 MB inputs", () => {
  const lines = (n: number, line: string) => Array.from({ length: n }, () => line).join("\n");

  it("an unterminated quote followed by 1 MB of lines is one error, found in linear time", () => {
    const text = `A="start\n${lines(48_000, "x".repeat(20))}`;
    expect(text.length).toBeGreaterThan(0.95 * MB);
    const { entries, errors } = timed(() => parseDotenv(text));
    expect(entries).toEqual([]);
    expect(errors).toEqual([{ line: 1, message: 'line 1: unterminated " quote for A' }]);
  });

  it("quoted values full of escapes, across many lines, stay linear", () => {
    const body = lines(48_000, '\\"\\\\ab\\n\\t \\"x\\\\yzwv');
    const text = `A="${body}"\nB=after`;
    expect(text.length).toBeGreaterThan(0.95 * MB);
    const r = timed(() => parseDotenv(text));
    // A value that long is refused, but parsing goes on after its closing quote.
    expect(r.errors).toEqual([{ line: 1, message: "line 1: the value of A is longer than 32 KB" }]);
    expect(r.entries).toEqual([{ key: "B", value: "after" }]);
  });

  it("1 MB of bad lines lists the first problems and counts the rest", () => {
    const text = lines(34_000, "this line has no equals sign");
    expect(text.length).toBeGreaterThan(0.9 * MB);
    const { errors } = timed(() => parseDotenv(text));
    expect(errors).toHaveLength(DOTENV_LIMITS.errors + 1);
    expect(errors[0]).toEqual({ line: 1, message: "line 1: expected KEY=value" });
    expect(errors.at(-1)).toEqual({ line: 51, message: `line 51 and ${34_000 - 51} more lines have problems too (the first 50 are listed)` });
  });

  it("one 1 MB line, and one long line of spaces and hashes, stay linear", () => {
    expect(timed(() => parseDotenv(`A=${"x".repeat(MB - 10)}`)).errors[0]!.message).toMatch(/longer than 32 KB/);
    expect(timed(() => parseDotenv(`A=${" #".repeat(MB / 2 - 10)}`)).entries).toEqual([{ key: "A", value: "#" }]);
    expect(timed(() => parseDotenv(`${"K".repeat(MB - 10)}=1`)).errors[0]!.message).toMatch(/key is longer than 128 characters/);
  });

  it("refuses more than 1 MB, counted in UTF-8 bytes", () => {
    refused(() => parseDotenv(`A=${"x".repeat(MB)}`), /too large: more than 1 MB/);
    refused(() => parseDotenv(`A=${"é".repeat(MB / 2 + 1)}`), /more than 1 MB/);
    expect(parseDotenv(`A=${"é".repeat(1000)}`).errors[0]).toBeUndefined();
  });

  it("refuses too many lines and too many variables", () => {
    refused(() => parseDotenv("\n".repeat(DOTENV_LIMITS.lines)), /more than 50,000 lines/);
    const vars = Array.from({ length: DOTENV_LIMITS.entries + 1 }, (_, i) => `K${i}=${i}`).join("\n");
    refused(() => parseDotenv(vars), /more than 1,000 variables/);
    const atLimit = Array.from({ length: DOTENV_LIMITS.entries }, (_, i) => `K${i}=${i}`).join("\n");
    expect(parseDotenv(atLimit).entries).toHaveLength(DOTENV_LIMITS.entries);
  });

  it("accepts a value of exactly the limit and refuses one character more", () => {
    expect(parseDotenv(`A=${"v".repeat(DOTENV_LIMITS.valueChars)}`).errors).toEqual([]);
    expect(parseDotenv(`A="${"v".repeat(DOTENV_LIMITS.valueChars + 1)}"`).errors[0]!.message).toMatch(/longer than 32 KB/);
  });
});

describe("reference parsing on 1 MB inputs", () => {
  it.each([
    ["a run of $ before {{", `${"$".repeat(MB)}{{ A }}`],
    ["unterminated openings", "${{".repeat(MB / 3)],
    ["literal braces", "{{".repeat(MB / 2)],
    ["escaped references", "$${{ A }}".repeat(MB / 9)],
    ["references with many dots", `${"${{ a.b.c.d.e.f.g }}".repeat(MB / 21)}`],
    ["closings only", "}}".repeat(MB / 2)],
  ])("%s", (_, value) => {
    const { parts } = timed(() => parseValue(value));
    expect(parts.length).toBeGreaterThan(0);
  });
});

describe("resolution is bounded", () => {
  const v = (key: string, value: string, secret = false): VarInput => ({ key, value, secret });
  const layers = (l: Partial<ConfigLayers>): ConfigLayers => ({ team: [], project: [], environment: [], services: {}, ...l });

  it("values that double each other stop with 'expands to more than 64 KB' instead of a 33 MB page", () => {
    // The reported case: eleven variables, each referencing the previous one twice.
    const doubling = Array.from({ length: 11 }, (_, j) => v(`D${j}`, j ? `\${{ D${j - 1} }}\${{ D${j - 1} }}` : "x".repeat(16_000)));
    const env = timed(() => resolveEnvironment(layers({ environment: doubling, services: { api: [], web: [] } })));
    for (const service of ["api", "web"]) {
      const { vars, errors } = env[service]!;
      expect(vars.map((x) => [x.key, x.value.length])).toEqual([
        ["D0", 16_000],
        ["D1", 32_000],
        ["D2", 64_000],
      ]);
      expect(errors.find((e) => e.key === "D3")?.message).toBe("D3: expands to more than 64 KB");
      expect(errors.find((e) => e.key === "D10")?.message).toBe("D10 → D9 → D8 → D7 → D6 → D5 → D4 → D3: expands to more than 64 KB");
    }
    // Sixty doublings of a one-character value: 2^60 characters if nothing stopped it.
    const deep = Array.from({ length: 60 }, (_, j) => v(`X${j}`, j ? `\${{ X${j - 1} }}\${{ X${j - 1} }}` : "x"));
    const out = timed(() => resolveService(layers({ team: deep, services: { s: [] } }), "s"));
    expect(out.vars.reduce((n, x) => n + x.value.length, 0)).toBeLessThan(RESOLVE_LIMITS.serviceChars);
    expect(out.errors.find((e) => e.key === "X17")?.message).toBe("X17: expands to more than 64 KB");
  });

  it("a value exactly at the limit resolves", () => {
    const half = "h".repeat(RESOLVE_LIMITS.valueChars / 2);
    const out = resolveService(layers({ team: [v("H", half), v("FULL", "${{ H }}${{ H }}"), v("OVER", "${{ FULL }}!")], services: { s: [] } }), "s");
    expect(out.vars.find((x) => x.key === "FULL")?.value).toHaveLength(RESOLVE_LIMITS.valueChars);
    expect(out.errors.map((e) => e.message)).toEqual(["OVER: expands to more than 64 KB"]);
  });

  it("a service's resolved configuration is at most 1 MB: the variable that crosses it is an error", () => {
    const big = "b".repeat(60 * 1024);
    const vars = Array.from({ length: 20 }, (_, i) => v(`V${String(i).padStart(2, "0")}`, big));
    const out = resolveService(layers({ services: { api: vars } }), "api");
    expect(out.vars.map((x) => x.key)).toEqual(vars.slice(0, 17).map((x) => x.key));
    expect(out.errors).toEqual([
      {
        key: "V17",
        source: "service",
        chain: ["V17"],
        message: "V17: api's configuration expands to more than 1 MB in total (V17 and the 2 variables after it left out)",
      },
    ]);
  });

  it("an environment's services together resolve to at most 4 MB", () => {
    // 15 shared values of 60 KB reach every service: 900 KB each, so the fifth service crosses 4 MB.
    const shared = Array.from({ length: 15 }, (_, i) => v(`S${String(i).padStart(2, "0")}`, "s".repeat(60 * 1024)));
    const services = Object.fromEntries(["a", "b", "c", "d", "e", "f"].map((n) => [n, [] as VarInput[]]));
    const env = timed(() => resolveEnvironment(layers({ environment: shared, services })));
    for (const n of ["a", "b", "c", "d"]) expect(env[n]).toMatchObject({ errors: [] });
    expect(env.e!.errors).toHaveLength(1);
    expect(env.e!.errors[0]!.message).toMatch(
      /^S\d\d: the environment's configuration expands to more than 4 MB in total across its services \(S\d\d and the \d+ variables after it left out\)$/,
    );
    expect(env.f).toEqual({
      vars: [],
      errors: [
        {
          key: "S00",
          source: "environment",
          chain: ["S00"],
          message: expect.stringMatching(/^S00: the environment's configuration expands to more than 4 MB/),
        },
      ],
    });
    // Resolved alone, a service has only its own total.
    expect(resolveService(layers({ environment: shared, services }), "f").errors).toEqual([]);
  });

  it("1 MB of variables in one long chain resolves in linear time, and its errors stay short", () => {
    const n = 40_000;
    const chain = Array.from({ length: n }, (_, j) => v(`VARIABLE_${j}`, j ? `\${{ VARIABLE_${j - 1} }}` : "root"));
    expect(chain.reduce((s, x) => s + x.key.length + x.value.length, 0)).toBeGreaterThan(MB);
    const ok = timed(() => resolveEnvironment(layers({ environment: chain, services: { a: [], b: [] } })));
    expect(ok.a!.vars).toHaveLength(n);
    expect(ok.b!.vars.at(-1)?.value).toBe("root");
    // The same chain failing at its root: every variable fails; the first 100 are explained, each in at
    // most 32 links, and the rest counted.
    chain[0] = v("VARIABLE_0", "${{ NOPE }}");
    const failing = timed(() => resolveService(layers({ environment: chain, services: { a: [] } }), "a"));
    expect(failing.vars).toEqual([]);
    expect(failing.errors).toHaveLength(RESOLVE_LIMITS.errors + 1);
    // Code-unit order: VARIABLE_0, VARIABLE_1, VARIABLE_10, VARIABLE_100, …
    expect(failing.errors[1]).toMatchObject({ key: "VARIABLE_1", message: "VARIABLE_1 → VARIABLE_0 → missing NOPE" });
    const deep = failing.errors.find((e) => e.key === "VARIABLE_10000")!;
    expect(deep.chain).toHaveLength(RESOLVE_LIMITS.explainLinks + 1);
    expect(deep.message).toMatch(
      /^VARIABLE_10000 → VARIABLE_9999 → .* → VARIABLE_9968 → …: more than 32 failing references in a row \(the variables further down show the cause\)$/,
    );
    expect(failing.errors.at(-1)).toEqual({
      key: failing.errors.at(-1)!.key,
      source: "environment",
      chain: [failing.errors.at(-1)!.key],
      message: `${failing.errors.at(-1)!.key} and ${n - RESOLVE_LIMITS.errors - 1} more variables fail to resolve too (the first 100 are explained)`,
    });
  });

  it("a value with thousands of references to the same variable stays linear", () => {
    const many = v("MANY", "${{ A }}".repeat((32 * 1024) / 8));
    const services = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`s${i}`, [] as VarInput[]]));
    const env = timed(() => resolveEnvironment(layers({ team: [v("A", "a"), many], services })));
    expect(env.s0!.vars.find((x) => x.key === "MANY")?.value).toBe("a".repeat(4096));
  });

  it("finds every shared variable's consumers in one pass, as consumersOf does key by key", () => {
    const team = Array.from({ length: 2000 }, (_, j) => v(`T${j}`, j % 2 ? `\${{ T${j - 1} }}` : `t${j}`));
    const services = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`s${i}`, i % 3 ? [] : [v("T0", "own")]]));
    const l = layers({ team, services });
    const all = timed(() => consumersByKey(l, "team"));
    expect(all.get("T0")).toEqual(
      Object.keys(services)
        .filter((s) => Number(s.slice(1)) % 3)
        .sort(),
    );
    expect(all.get("T1999")).toHaveLength(20);
    for (const key of ["T0", "T1", "T2", "T1999"]) expect(consumersOf(l, "team", key)).toEqual(all.get(key));
  });
});
