import { describe, expect, it } from "vitest";
import {
  consumersOf,
  resolveEnvironment as resolveEnvironmentOf,
  resolveService as resolveServiceOf,
  type ConfigLayers,
  type ResolvedVar,
  type ServiceConfig,
  type VarInput,
} from "@/lib/config/resolve";

// These tests check `uses` too, which is opt-in.
const resolveService = (l: ConfigLayers, service: string) => resolveServiceOf(l, service, { uses: true });
const resolveEnvironment = (l: ConfigLayers) => resolveEnvironmentOf(l, { uses: true });

const v = (key: string, value: string, secret = false): VarInput => ({ key, value, secret });
const layers = (l: Partial<ConfigLayers>): ConfigLayers => ({ team: [], project: [], environment: [], services: {}, ...l });

function get(config: ServiceConfig, key: string): ResolvedVar & { uses: string[] } {
  const found = config.vars.find((x) => x.key === key);
  if (!found) throw new Error(`${key} did not resolve: ${JSON.stringify(config.errors)}`);
  if (!found.uses) throw new Error(`${key} has no uses`);
  return { ...found, uses: found.uses };
}
const value = (config: ServiceConfig, key: string) => get(config, key).value;
function error(config: ServiceConfig, key: string) {
  const found = config.errors.find((e) => e.key === key);
  if (!found) throw new Error(`${key} has no error`);
  // An erroneous variable must never also be offered as a value.
  expect(config.vars.map((x) => x.key)).not.toContain(key);
  return found;
}

describe("precedence", () => {
  const l = layers({
    team: [v("T", "team"), v("P", "team"), v("E", "team"), v("S", "team")],
    project: [v("P", "project"), v("E", "project"), v("S", "project")],
    environment: [v("E", "environment"), v("S", "environment")],
    services: { api: [v("S", "service"), v("OWN", "api only")], web: [] },
  });

  it("takes the most specific scope for each key and names it", () => {
    const api = resolveService(l, "api");
    expect(api.errors).toEqual([]);
    expect(api.vars.map(({ key, value, source }) => ({ key, value, source }))).toEqual([
      { key: "E", value: "environment", source: "environment" },
      { key: "OWN", value: "api only", source: "service" },
      { key: "P", value: "project", source: "project" },
      { key: "S", value: "service", source: "service" },
      { key: "T", value: "team", source: "team" },
    ]);
  });

  it("gives each service only its own service-scope variables", () => {
    const web = resolveService(l, "web");
    expect(web.vars.map((x) => [x.key, x.value, x.source])).toEqual([
      ["E", "environment", "environment"],
      ["P", "project", "project"],
      ["S", "environment", "environment"],
      ["T", "team", "team"],
    ]);
  });

  it("sorts vars by key in code-unit order regardless of input order", () => {
    const out = resolveService(layers({ team: [v("b", "1"), v("_x", "2"), v("B", "3"), v("A", "4")], services: { s: [] } }), "s");
    expect(out.vars.map((x) => x.key)).toEqual(["A", "B", "_x", "b"]);
  });

  it("throws for an unknown service and for invalid input", () => {
    expect(() => resolveService(l, "nope")).toThrow(/unknown service "nope"/);
    expect(() => resolveService(l, "constructor")).toThrow(/unknown service/);
    expect(() => resolveService(layers({ team: [v("A", "1"), v("A", "2")], services: { s: [] } }), "s")).toThrow(/defined twice/);
    expect(() => resolveService(layers({ team: [v("A-B", "1")], services: { s: [] } }), "s")).toThrow(/invalid variable key/);
    expect(() => resolveService(layers({ services: { Bad_Name: [] } }), "Bad_Name")).toThrow(/invalid service name/);
  });
});

describe("result shape", () => {
  it("an empty environment and a service without variables", () => {
    expect(resolveEnvironment(layers({}))).toEqual({});
    expect(resolveService(layers({ services: { s: [] } }), "s")).toEqual({ vars: [], errors: [] });
  });

  it("does not depend on input order and repeats exactly", () => {
    const vars = [v("A", "${{ B }}-${{ team.T }}"), v("B", "${{ C }}"), v("C", "c", true), v("D", "${{ D }}")];
    const a = layers({ team: [v("T", "t"), v("U", "${{ A }}")], services: { s: vars, r: [v("X", "${{ services.s.A }}")] } });
    const b = layers({ team: [v("U", "${{ A }}"), v("T", "t")], services: { r: [v("X", "${{ services.s.A }}")], s: [...vars].reverse() } });
    expect(resolveEnvironment(a)).toEqual(resolveEnvironment(b));
    expect(JSON.stringify(resolveEnvironment(a))).toBe(JSON.stringify(resolveEnvironment(a)));
    expect(Object.keys(resolveEnvironment(b))).toEqual(["r", "s"]);
  });

  it("returns uses arrays that are independent of each other", () => {
    const out = resolveService(layers({ team: [v("A", "a"), v("B", "b"), v("C", "${{ A }}"), v("D", "${{ C }}")], services: { s: [] } }), "s");
    get(out, "A").uses.push("mutated");
    get(out, "C").uses.push("mutated");
    expect(get(out, "B").uses).toEqual([]);
    expect(get(out, "D").uses).toEqual(["team.A", "team.C"]);
  });

  it("ignores a broken definition that is shadowed and not referenced", () => {
    const out = resolveService(layers({ team: [v("A", "${{ }}"), v("B", "${{ NOPE }}")], project: [v("A", "ok")], services: { s: [v("B", "fine")] } }), "s");
    expect(out.errors).toEqual([]);
    expect(out.vars.map((x) => [x.key, x.value])).toEqual([
      ["A", "ok"],
      ["B", "fine"],
    ]);
  });
});

describe("unqualified references bind late, in the consuming service", () => {
  const l = layers({
    team: [v("HOST", "db.shared"), v("GREETING", "hello ${{ NAME }}")],
    project: [v("NAME", "project")],
    environment: [v("URL", "postgres://${{ HOST }}:5432")],
    services: { api: [v("HOST", "db.api"), v("NAME", "api")], web: [] },
  });

  it("a service override of a key changes an environment-level value that uses it", () => {
    const env = resolveEnvironment(l);
    expect(value(env.api, "URL")).toBe("postgres://db.api:5432");
    expect(value(env.web, "URL")).toBe("postgres://db.shared:5432");
    expect(get(env.api, "URL").source).toBe("environment");
    expect(get(env.api, "URL").uses).toEqual(["service.HOST"]);
    expect(get(env.web, "URL").uses).toEqual(["team.HOST"]);
  });

  it("a shared value referencing a key only one service defines fails only in the others", () => {
    const l2 = layers({ team: [v("X", "<${{ ONLY_API }}>")], services: { api: [v("ONLY_API", "yes")], web: [] } });
    const env = resolveEnvironment(l2);
    expect(value(env.api, "X")).toBe("<yes>");
    expect(error(env.web, "X")).toEqual({ key: "X", source: "team", chain: ["X", "ONLY_API"], message: "X → missing ONLY_API" });
  });

  it("a team-level value picks up project and service definitions of what it references", () => {
    const env = resolveEnvironment(l);
    expect(value(env.api, "GREETING")).toBe("hello api");
    expect(value(env.web, "GREETING")).toBe("hello project");
  });
});

describe("qualified references", () => {
  const l = layers({
    team: [v("K", "team-k"), v("URL", "http://${{ HOST }}"), v("HOST", "team-host")],
    project: [v("K", "project-k")],
    environment: [v("K", "env-k"), v("ONLY_ENV", "e")],
    services: {
      api: [
        v("K", "service-k"),
        v("HOST", "api-host"),
        v("ALL", "${{ K }}|${{ team.K }}|${{ project.K }}|${{ env.K }}"),
        v("VIA_TEAM", "${{ team.URL }}"),
        v("PATH_LIKE", "${{ env.ONLY_ENV }}:extra"),
        v("ONLY_ENV", "${{ env.ONLY_ENV }}+api"),
      ],
    },
  });
  const api = resolveService(l, "api");

  it("each qualified form reads exactly that scope even where it is overridden", () => {
    expect(value(api, "ALL")).toBe("service-k|team-k|project-k|env-k");
    expect(get(api, "ALL").uses).toEqual(["environment.K", "project.K", "service.K", "team.K"]);
  });

  it("resolves the qualified variable's own references in the consumer's context", () => {
    expect(value(api, "VIA_TEAM")).toBe("http://api-host");
    expect(get(api, "VIA_TEAM").uses).toEqual(["service.HOST", "team.URL"]);
  });

  it("a service value may extend the shared value of its own key without a cycle", () => {
    expect(value(api, "ONLY_ENV")).toBe("e+api");
    expect(get(api, "ONLY_ENV")).toMatchObject({ source: "service", uses: ["environment.ONLY_ENV"] });
    expect(value(api, "PATH_LIKE")).toBe("e:extra");
  });

  it("a qualified reference to a scope that does not define the key is missing, not a fallback", () => {
    const out = resolveService(layers({ team: [v("X", "team")], services: { s: [v("A", "${{ env.X }}"), v("B", "${{ project.X }}")] } }), "s");
    expect(error(out, "A")).toEqual({ key: "A", source: "service", chain: ["A", "env.X"], message: "A → missing env.X" });
    expect(error(out, "B").message).toBe("B → missing project.X");
    expect(value(out, "X")).toBe("team");
  });
});

describe("services.<name>.KEY", () => {
  it("reads another service's effective value, resolved in that service's context", () => {
    const l = layers({
      environment: [v("URL", "http://${{ HOST }}:${{ PORT }}"), v("PORT", "80")],
      services: {
        api: [v("HOST", "api.internal"), v("PORT", "8080"), v("OWN_URL", "https://${{ HOST }}")],
        web: [v("HOST", "web.internal"), v("API", "${{ services.api.URL }}"), v("API_OWN", "${{ services.api.OWN_URL }}")],
      },
    });
    const web = resolveService(l, "web");
    expect(value(web, "API")).toBe("http://api.internal:8080");
    expect(value(web, "URL")).toBe("http://web.internal:80");
    expect(get(web, "API").uses).toEqual(["environment.URL", "services.api.HOST", "services.api.PORT"]);
    expect(value(web, "API_OWN")).toBe("https://api.internal");
    expect(get(web, "API_OWN").uses).toEqual(["services.api.HOST", "services.api.OWN_URL"]);
  });

  it("a service may name itself, which is its own effective value", () => {
    const web = resolveService(layers({ team: [v("A", "a")], services: { web: [v("B", "${{ services.web.A }}-${{ services.web.C }}"), v("C", "c")] } }), "web");
    expect(value(web, "B")).toBe("a-c");
    expect(get(web, "B").uses).toEqual(["service.C", "team.A"]);
  });

  it("chains across several services", () => {
    const l = layers({
      services: { a: [v("X", "${{ services.b.X }}a")], b: [v("X", "${{ services.c.X }}b")], c: [v("X", "c")] },
    });
    const env = resolveEnvironment(l);
    expect(value(env.a, "X")).toBe("cba");
    expect(get(env.a, "X").uses).toEqual(["services.b.X", "services.c.X"]);
  });

  it("reports a cross-service cycle from each side", () => {
    const l = layers({ services: { api: [v("A", "${{ services.web.B }}")], web: [v("B", "x${{ services.api.A }}")] } });
    const env = resolveEnvironment(l);
    expect(error(env.api, "A")).toEqual({
      key: "A",
      source: "service",
      chain: ["A", "services.web.B", "services.api.A"],
      message: "A → services.web.B → services.api.A (cycle)",
    });
    expect(error(env.web, "B").message).toBe("B → services.api.A → services.web.B (cycle)");
  });

  it("names unqualified references evaluated for another service by that service", () => {
    const l = layers({
      environment: [v("URL", "http://${{ HOST }}")],
      services: { api: [v("HOST", "${{ MISSING }}")], web: [v("API", "${{ services.api.URL }}")] },
    });
    expect(error(resolveService(l, "web"), "API")).toMatchObject({
      chain: ["API", "services.api.URL", "services.api.HOST", "services.api.MISSING"],
      message: "API → services.api.URL → services.api.HOST → missing services.api.MISSING",
    });
  });

  it("an unknown service or a key it lacks is missing", () => {
    const out = resolveService(layers({ services: { web: [v("A", "${{ services.nope.K }}"), v("B", "${{ services.web.NOPE }}")] } }), "web");
    expect(error(out, "A")).toEqual({
      key: "A",
      source: "service",
      chain: ["A", "services.nope.K"],
      message: 'A → missing services.nope.K (no service "nope" in this environment)',
    });
    expect(error(out, "B").message).toBe("B → missing services.web.NOPE");
  });
});

describe("nested references", () => {
  it("resolves a chain through every scope", () => {
    const out = resolveService(
      layers({
        team: [v("D", "d")],
        project: [v("C", "${{ team.D }}-c")],
        environment: [v("B", "${{ project.C }}-b")],
        services: { s: [v("A", "${{ B }}-a")] },
      }),
      "s",
    );
    expect(value(out, "A")).toBe("d-c-b-a");
    expect(get(out, "A").uses).toEqual(["environment.B", "project.C", "team.D"]);
    expect(value(out, "B")).toBe("d-c-b");
    expect(out.errors).toEqual([]);
  });

  it("inserts a referenced value literally, even if it looks like a reference", () => {
    const out = resolveService(layers({ team: [v("LIT", "$${{ A }}"), v("A", "a")], services: { s: [v("X", "<${{ LIT }}>")] } }), "s");
    expect(value(out, "LIT")).toBe("${{ A }}");
    expect(value(out, "X")).toBe("<${{ A }}>");
    expect(get(out, "X").uses).toEqual(["team.LIT"]);
  });

  it("uses lists each variable once, sorted, and nothing for literals", () => {
    const out = resolveService(layers({ team: [v("A", "a"), v("B", "${{ A }}${{ team.A }}${{ A }}")], services: { s: [] } }), "s");
    expect(get(out, "A").uses).toEqual([]);
    expect(get(out, "B").uses).toEqual(["team.A"]);
    expect(value(out, "B")).toBe("aaa");
  });
});

describe("escaping in resolved values", () => {
  it("$${{ is a literal, and a run of $ is halved before {{ only", () => {
    const out = resolveService(
      layers({ team: [v("A", "a")], services: { s: [v("E1", "$${{ A }}"), v("E2", "$$${{ A }}"), v("E3", "$$$${{ A }}"), v("E4", "pa$$word${{A}}")] } }),
      "s",
    );
    expect(value(out, "E1")).toBe("${{ A }}");
    expect(get(out, "E1").uses).toEqual([]);
    expect(value(out, "E2")).toBe("$a");
    expect(value(out, "E3")).toBe("$${{ A }}");
    expect(value(out, "E4")).toBe("pa$$worda");
  });

  it("an escaped reference to a missing key is not an error", () => {
    const out = resolveService(layers({ services: { s: [v("X", "$${{ NOPE }}")] } }), "s");
    expect(out.errors).toEqual([]);
    expect(value(out, "X")).toBe("${{ NOPE }}");
  });
});

describe("errors", () => {
  it("names the chain to a missing variable (the documented example)", () => {
    const l = layers({
      team: [v("OK", "fine")],
      environment: [v("DB_HOST", "${{ project.HOST }}")],
      services: { api: [v("DATABASE_URL", "postgres://${{ env.DB_HOST }}/db")] },
    });
    const api = resolveService(l, "api");
    expect(error(api, "DATABASE_URL")).toEqual({
      key: "DATABASE_URL",
      source: "service",
      chain: ["DATABASE_URL", "env.DB_HOST", "project.HOST"],
      message: "DATABASE_URL → env.DB_HOST → missing project.HOST",
    });
    expect(error(api, "DB_HOST")).toEqual({
      key: "DB_HOST",
      source: "environment",
      chain: ["DB_HOST", "project.HOST"],
      message: "DB_HOST → missing project.HOST",
    });
    expect(api.vars.map((x) => x.key)).toEqual(["OK"]);
  });

  it("a missing unqualified key", () => {
    const out = resolveService(layers({ services: { s: [v("A", "x${{ NOPE }}y")] } }), "s");
    expect(out).toEqual({ vars: [], errors: [{ key: "A", source: "service", chain: ["A", "NOPE"], message: "A → missing NOPE" }] });
  });

  it("an unknown scope word is an error with no value", () => {
    const out = resolveService(layers({ environment: [v("X", "1")], services: { s: [v("A", "${{ environment.X }}")] } }), "s");
    const e = error(out, "A");
    expect(e.chain).toEqual(["A"]);
    expect(e.message).toMatch(/^A: unknown scope "environment" in "\$\{\{ environment\.X \}\}"/);
  });

  it("malformed syntax is an error with no value", () => {
    const out = resolveService(layers({ services: { s: [v("EMPTY", "${{ }}"), v("DOT", "${{ team. }}"), v("OPEN", "abc ${{ A"), v("A", "fine")] } }), "s");
    expect(error(out, "EMPTY").message).toMatch(/^EMPTY: empty reference "\$\{\{ \}\}" at position 0/);
    expect(error(out, "DOT").message).toMatch(/^DOT: missing key in "\$\{\{ team\. \}\}"/);
    expect(error(out, "OPEN").message).toBe('OPEN: unterminated "${{" at position 4 (no closing "}}")');
    expect(out.vars.map((x) => x.key)).toEqual(["A"]);
  });

  it("does not quote a malformed reference inside a secret value", () => {
    const out = resolveService(layers({ team: [v("PASS", "ab${{ x y }}cd", true)], services: { s: [v("URL", "db://${{ PASS }}")] } }), "s");
    expect(error(out, "PASS").message).toBe("PASS: invalid key at position 2 of a secret value");
    expect(error(out, "URL")).toMatchObject({ chain: ["URL", "PASS"], message: "URL → PASS: invalid key at position 2 of a secret value" });
    expect(JSON.stringify(out)).not.toContain("x y");
  });

  it("an error below a reference fails the referencing variable too, with the whole route", () => {
    const out = resolveService(layers({ project: [v("B", "${{ }}")], services: { s: [v("A", "<${{ project.B }}>")] } }), "s");
    expect(error(out, "A")).toMatchObject({ chain: ["A", "project.B"], message: expect.stringMatching(/^A → project\.B: empty reference/) });
  });

  it("reports the first failing reference in value order", () => {
    const out = resolveService(layers({ services: { s: [v("A", "${{ OK }}${{ X }}${{ C }}"), v("OK", "ok"), v("C", "${{ C }}")] } }), "s");
    expect(error(out, "A").message).toBe("A → missing X");
    const other = resolveService(layers({ services: { s: [v("A", "${{ C }}${{ X }}"), v("C", "${{ C }}")] } }), "s");
    expect(error(other, "A").message).toBe("A → C → C (cycle)");
  });
});

describe("cycles", () => {
  it("self-reference", () => {
    const out = resolveService(layers({ services: { s: [v("A", "${{ A }}")] } }), "s");
    expect(out).toEqual({ vars: [], errors: [{ key: "A", source: "service", chain: ["A", "A"], message: "A → A (cycle)" }] });
  });

  it("two steps, reported from each member", () => {
    const out = resolveService(layers({ team: [v("A", "${{ B }}")], project: [v("B", "${{ A }}")], services: { s: [] } }), "s");
    expect(out.errors).toEqual([
      { key: "A", source: "team", chain: ["A", "B", "A"], message: "A → B → A (cycle)" },
      { key: "B", source: "project", chain: ["B", "A", "B"], message: "B → A → B (cycle)" },
    ]);
  });

  it("three steps, and a variable leading into the cycle", () => {
    const out = resolveService(
      layers({ services: { s: [v("A", "${{ B }}"), v("B", "${{ C }}"), v("C", "${{ A }}"), v("X", "${{ B }}"), v("D", "${{ E }}"), v("E", "e")] } }),
      "s",
    );
    expect(out.errors.map((e) => [e.key, e.chain, e.message])).toEqual([
      ["A", ["A", "B", "C", "A"], "A → B → C → A (cycle)"],
      ["B", ["B", "C", "A", "B"], "B → C → A → B (cycle)"],
      ["C", ["C", "A", "B", "C"], "C → A → B → C (cycle)"],
      ["X", ["X", "B", "C", "A", "B"], "X → B → C → A → B (cycle)"],
    ]);
    expect(out.vars.map((x) => [x.key, x.value])).toEqual([
      ["D", "e"],
      ["E", "e"],
    ]);
  });

  it("a cycle that exists only through a service's late-bound override", () => {
    const l = layers({
      team: [v("HOST", "h")],
      environment: [v("URL", "${{ HOST }}")],
      services: { api: [v("HOST", "${{ env.URL }}")], web: [] },
    });
    const env = resolveEnvironment(l);
    expect(error(env.api, "URL")).toMatchObject({ source: "environment", chain: ["URL", "HOST", "env.URL"], message: "URL → HOST → env.URL (cycle)" });
    expect(error(env.api, "HOST").message).toBe("HOST → env.URL → HOST (cycle)");
    expect(env.web.errors).toEqual([]);
    expect(value(env.web, "URL")).toBe("h");
  });

  it("the same result whether a service is resolved alone or with its environment", () => {
    const l = layers({
      team: [v("T", "${{ S }}")],
      environment: [v("E", "${{ services.b.X }}")],
      services: {
        a: [v("S", "${{ services.b.Y }}"), v("X", "${{ T }}")],
        b: [v("X", "${{ services.a.X }}"), v("Y", "${{ E }}"), v("S", "b")],
        c: [v("Z", "${{ services.a.S }}${{ T }}")],
      },
    });
    const env = resolveEnvironment(l);
    expect(Object.keys(env)).toEqual(["a", "b", "c"]);
    for (const name of ["c", "b", "a"]) expect(resolveService(l, name)).toEqual(env[name]);
    // a.X → T (in a) → a.S → b.Y → E (in b) → b.X → a.X: a cycle through both services.
    expect(error(env.a, "X").message).toBe("X → T → S → services.b.Y → services.b.E → services.b.X → services.a.X (cycle)");
    expect(value(env.b, "T")).toBe("b");
    expect(error(env.c, "T").message).toBe("T → missing S");
    expect(error(env.c, "Z").message).toBe(
      "Z → services.a.S → services.b.Y → services.b.E → services.b.X → services.a.X → services.a.T → services.a.S (cycle)",
    );
  });
});

describe("secrets", () => {
  const l = layers({
    team: [v("PASS", "hunter2", true), v("USER", "app"), v("HOST", "db")],
    environment: [v("URL", "postgres://${{ USER }}:${{ team.PASS }}@${{ HOST }}"), v("PLAIN", "${{ USER }}@${{ HOST }}"), v("TOKEN_REF", "${{ TOKEN }}")],
    services: {
      api: [v("TOKEN", "t0k3n", true), v("HOST", "api-db", true), v("WRAP", "[${{ URL }}]"), v("KEEP", "literal", true)],
      web: [v("TOKEN", "public"), v("API_TOKEN", "${{ services.api.TOKEN }}"), v("API_USER", "${{ services.api.USER }}")],
    },
  });
  const env = resolveEnvironment(l);

  it("a secret variable stays secret; a value using one directly or transitively becomes secret", () => {
    expect(get(env.api, "KEEP").secret).toBe(true);
    expect(get(env.web, "URL").secret).toBe(true);
    expect(get(env.api, "WRAP")).toMatchObject({ value: "[postgres://app:hunter2@api-db]", secret: true });
    expect(get(env.web, "USER").secret).toBe(false);
  });

  it("propagates through late binding per service", () => {
    // PLAIN uses HOST, which is secret only in api.
    expect(get(env.api, "PLAIN")).toMatchObject({ value: "app@api-db", secret: true });
    expect(get(env.web, "PLAIN")).toMatchObject({ value: "app@db", secret: false });
    expect(get(env.api, "TOKEN_REF").secret).toBe(true);
    expect(get(env.web, "TOKEN_REF").secret).toBe(false);
  });

  it("an escaped reference to a secret is not a use of it", () => {
    const out = resolveService(layers({ team: [v("PASS", "p", true)], services: { s: [v("DOC", "set $${{ PASS }} here")] } }), "s");
    expect(get(out, "DOC")).toMatchObject({ value: "set ${{ PASS }} here", secret: false, uses: [] });
  });

  it("propagates across services", () => {
    expect(get(env.web, "API_TOKEN")).toMatchObject({ value: "t0k3n", secret: true, uses: ["services.api.TOKEN"] });
    expect(get(env.web, "API_USER")).toMatchObject({ value: "app", secret: false, uses: ["team.USER"] });
  });
});

describe("consumersOf", () => {
  const l = layers({
    team: [v("LOG_LEVEL", "info"), v("HOST", "db"), v("UNUSED_ELSEWHERE", "x")],
    project: [v("UNUSED_ELSEWHERE", "project wins")],
    environment: [v("URL", "http://${{ HOST }}")],
    services: {
      api: [v("HOST", "api-db")],
      web: [v("LOG_LEVEL", "debug"), v("API", "${{ services.api.URL }}"), v("HOST", "web-db"), v("URL", "mine")],
      worker: [v("LOG_LEVEL", "${{ team.LOG_LEVEL }},worker"), v("HOST", "w")],
      batch: [],
      broken: [v("LOG_LEVEL", "x"), v("BAD", "${{ team.HOST }}${{ NOPE }}"), v("HOST", "b")],
    },
  });

  it("lists services whose effective value is the shared one, not those that override it", () => {
    // web overrides LOG_LEVEL and does not reference it; worker overrides but references it.
    expect(consumersOf(l, "team", "LOG_LEVEL")).toEqual(["api", "batch", "worker"]);
  });

  it("counts use through references, including another service's values", () => {
    // Only batch keeps team.HOST (its URL reads it late-bound); the others override HOST, so their URLs
    // read their own, but broken references team.HOST directly (in a value that fails: it still counts).
    expect(consumersOf(l, "team", "HOST")).toEqual(["batch", "broken"]);
    // web overrides URL but reads api's, which is the environment's.
    expect(consumersOf(l, "environment", "URL")).toEqual(["api", "batch", "broken", "web", "worker"]);
  });

  it("a variable shadowed at a more specific shared scope has no consumers", () => {
    expect(consumersOf(l, "team", "UNUSED_ELSEWHERE")).toEqual([]);
    expect(consumersOf(l, "project", "UNUSED_ELSEWHERE")).toEqual(["api", "batch", "broken", "web", "worker"]);
  });

  it("a key the scope does not define has no consumers", () => {
    expect(consumersOf(l, "project", "LOG_LEVEL")).toEqual([]);
    expect(consumersOf(l, "environment", "NOPE")).toEqual([]);
  });
});
