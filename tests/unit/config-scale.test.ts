import { describe, expect, it } from "vitest";
import { consumersOf, resolveEnvironment, resolveService, type ConfigLayers, type VarInput } from "@/lib/config/resolve";

// 20 services × 200 service variables plus 150 shared ones, with reference chains 200 deep inside each
// service, late-bound shared values, cross-service references and secrets. Expected values are computed
// from the construction, not by a second resolver. (Timing is measured elsewhere; this checks results.)
const SERVICES = 20;
const CHAIN = 200;
const SHARED = 50;
const name = (i: number) => `svc-${String(i).padStart(2, "0")}`;

function build(): ConfigLayers {
  const v = (key: string, value: string, secret = false): VarInput => ({ key, value, secret });
  const team = Array.from({ length: SHARED }, (_, k) => v(`T${k}`, `t${k}`, k === 7));
  const project = Array.from({ length: SHARED }, (_, k) => v(`P${k}`, `\${{ team.T${k} }}-p`));
  // Late bound: each service reads its own V chain and its own P (some services override P5).
  const environment = Array.from({ length: SHARED }, (_, k) => v(`E${k}`, `\${{ P${k} }}|\${{ V${k * 4} }}`));
  const services: Record<string, VarInput[]> = {};
  for (let i = 0; i < SERVICES; i++) {
    const vars: VarInput[] = [];
    // V0 starts from the previous service's V10, so chains also run across services.
    vars.push(v("V0", i === 0 ? "root" : `\${{ services.${name(i - 1)}.V10 }}`));
    for (let j = 1; j < CHAIN; j++) vars.push(v(`V${j}`, `\${{ V${j - 1} }}${j % 50 === 0 ? "." : ""}`));
    if (i % 2 === 0) vars.push(v("P5", "own-p5"));
    services[name(i)] = vars.reverse(); // input order must not matter
  }
  return { team, project, environment, services };
}

/** V_j of service i: "root", then one dot per 50 links; V0 of service i is V10 of service i-1 (no dots). */
const expectedV = (j: number) => `root${".".repeat(Math.floor(j / 50))}`;

describe("a large environment", () => {
  const layers = build();
  const env = resolveEnvironment(layers, { uses: true });

  it("resolves every variable of every service correctly", () => {
    expect(Object.keys(env)).toHaveLength(SERVICES);
    for (let i = 0; i < SERVICES; i++) {
      const { vars, errors } = env[name(i)];
      expect(errors).toEqual([]);
      expect(vars).toHaveLength(3 * SHARED + CHAIN);
      const byKey = new Map(vars.map((x) => [x.key, x]));
      for (let j = 0; j < CHAIN; j++) expect(byKey.get(`V${j}`)?.value).toBe(expectedV(j));
      for (let k = 0; k < SHARED; k++) {
        const p = k === 5 && i % 2 === 0 ? "own-p5" : `t${k}-p`;
        expect(byKey.get(`E${k}`)).toMatchObject({ value: `${p}|${expectedV(k * 4)}`, secret: k === 7, source: "environment" });
      }
    }
  });

  it("lists transitive uses through the chain and across services", () => {
    const last = env[name(SERVICES - 1)].vars.find((x) => x.key === `V${CHAIN - 1}`)!;
    const own = Array.from({ length: CHAIN - 1 }, (_, j) => `service.V${j}`);
    const earlier = Array.from({ length: SERVICES - 1 }, (_, i) => Array.from({ length: 11 }, (_, j) => `services.${name(i)}.V${j}`)).flat();
    expect(last.uses).toEqual([...own, ...earlier].sort());
  });

  it("matches resolving a single service on its own", () => {
    expect(resolveService(layers, name(13), { uses: true })).toEqual(env[name(13)]);
  });

  it("finds consumers in the large environment", () => {
    // E5 reads P5, which even services override.
    expect(consumersOf(layers, "project", "P5")).toEqual(Array.from({ length: SERVICES / 2 }, (_, i) => name(2 * i + 1)));
    // T5 is nowhere overridden, so it is every service's own.
    expect(consumersOf(layers, "team", "T5")).toEqual(Array.from({ length: SERVICES }, (_, i) => name(i)));
  });
});
