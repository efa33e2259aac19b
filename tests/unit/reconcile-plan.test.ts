// The agent's convergence plan (workers/agent/reconcile/plan.ts): what it does to make a host agree with the
// desired state, and what it leaves alone.
import { describe, expect, it } from "vitest";
import type { DesiredService, DesiredState } from "@/lib/hosts/desired-state";
import type { DeploymentSpec } from "@/lib/hosts/deployment-spec";
import { planConvergence, type Local, type Observed, type SeenContainer } from "@/workers/agent/reconcile/plan";

const HOST = "hosta1b2c3d4";
const SVC = "svcaaaaaaaaa1";

function service(over: Partial<DesiredService> = {}): DesiredService {
  return {
    serviceId: SVC,
    containerName: "berth-shop-prod-web",
    network: "berth-shop-prod",
    port: 8080,
    route: { id: `svc-${SVC}`, hosts: ["web.prod.shop.localhost"] },
    live: { deploymentId: "dep3", number: 3, imageTag: `berth-${SVC}:3`, push: null },
    keepTags: [`berth-${SVC}:2`, `berth-${SVC}:3`],
    active: [],
    newest: 4,
    ...over,
  };
}

function container(over: Partial<SeenContainer> & { dep?: string; sid?: string; host?: string } = {}): SeenContainer {
  const { dep = "dep3", sid = SVC, host = HOST, ...rest } = over;
  return {
    id: `id-${dep}-${rest.name ?? "c"}`,
    name: "berth-shop-prod-web",
    labels: { "berth.service.id": sid, "berth.host.id": host, "berth.deployment.id": dep, "berth.port": "8080" },
    state: "running",
    status: "Up 5 minutes",
    ips: { "berth-shop-prod": "172.20.0.5" },
    ...rest,
  };
}

/** One image per tag. */
const images = (...tags: string[]) => tags.map((t, i) => ({ id: `sha256:${i}`, tags: [t] }));
const route = (over: Partial<Observed["routes"][number]> = {}) => ({
  id: `svc-${SVC}`,
  hosts: ["web.prod.shop.localhost"],
  upstream: "172.20.0.5:8080",
  owner: HOST,
  ...over,
});

function desired(services: DesiredService[], restore: DeploymentSpec[] = []): DesiredState {
  return { hostId: HOST, basis: new Date().toISOString(), services, registry: null, restore };
}

const local = (over: Partial<Local> = {}): Local => ({ hostId: HOST, touched: () => false, activeTags: new Set(), activeDeployments: new Set(), ...over });
const kinds = (p: ReturnType<typeof planConvergence>) => p.actions.map((a) => a.kind);

describe("planConvergence", () => {
  it("does nothing and finds the service serving when everything agrees", () => {
    const p = planConvergence(
      desired([service()]),
      { containers: [container()], routes: [route()], images: images(`berth-${SVC}:2`, `berth-${SVC}:3`) },
      local(),
    );
    expect(p.actions).toEqual([]);
    expect(p.findings).toEqual([{ serviceId: SVC, problem: null }]);
  });

  it("points the route at the live container's new address (dockerd restarted), and sets a missing one (Caddy restarted)", () => {
    const moved = planConvergence(
      desired([service()]),
      { containers: [container({ ips: { "berth-shop-prod": "172.20.0.9" } })], routes: [route()], images: [] },
      local(),
    );
    expect(moved.actions).toEqual([
      expect.objectContaining({ kind: "set-route", upstream: "172.20.0.9:8080", why: expect.stringContaining("address changed") }),
    ]);
    expect(moved.findings[0]!.problem).toBeNull();
    const missing = planConvergence(desired([service()]), { containers: [container()], routes: [], images: [] }, local());
    expect(missing.actions).toEqual([
      expect.objectContaining({ kind: "set-route", routeId: `svc-${SVC}`, hosts: ["web.prod.shop.localhost"], upstream: "172.20.0.5:8080" }),
    ]);
  });

  it("routes to the port the release was started with, not a port changed since without a deploy", () => {
    const p = planConvergence(desired([service({ port: 9999 })]), { containers: [container()], routes: [], images: [] }, local());
    expect(p.actions).toEqual([expect.objectContaining({ kind: "set-route", upstream: "172.20.0.5:8080" })]);
  });

  it("recreates a live container removed by hand from the release's spec, and says so", () => {
    const spec = { deploymentId: "dep3" } as DeploymentSpec;
    const p = planConvergence(desired([service()], [spec]), { containers: [], routes: [route()], images: [] }, local());
    expect(p.actions).toEqual([{ kind: "restore", serviceId: SVC, spec }]);
    expect(p.findings[0]!.problem).toMatch(/release #3 was removed.*recreating/);
    const noSpec = planConvergence(desired([service()]), { containers: [], routes: [route()], images: [] }, local());
    expect(noSpec.actions).toEqual([]);
    expect(noSpec.findings[0]!.problem).toMatch(/is gone/);
  });

  it("reports a stopped live container without starting it, and leaves its route", () => {
    const p = planConvergence(
      desired([service()]),
      { containers: [container({ state: "exited", status: "Exited (137) 2 minutes ago", ips: {} })], routes: [route()], images: [] },
      local(),
    );
    expect(p.actions).toEqual([]);
    expect(p.findings[0]!.problem).toBe("The container of release #3 is stopped (exit code 137). Start it on the host's page, or deploy again.");
    const restarting = planConvergence(
      desired([service()]),
      { containers: [container({ state: "restarting", status: "Restarting (1) 3 seconds ago", ips: {} })], routes: [route()], images: [] },
      local(),
    );
    expect(restarting.findings[0]!.problem).toBe("The container of release #3 keeps restarting (last exit code 1). Its log says why.");
  });

  it("removes candidates and earlier releases' containers, and tags of deployments that never went live, keeping rollback releases", () => {
    const p = planConvergence(
      desired([service()]),
      {
        containers: [container(), container({ dep: "dep4", name: "berth-shop-prod-web-next-dep4" }), container({ dep: "dep2", name: "old" })],
        routes: [route()],
        images: images(`berth-${SVC}:2`, `berth-${SVC}:3`, `berth-${SVC}:4`, `berth-${SVC}:1`),
      },
      local(),
    );
    expect(p.actions.filter((a) => a.kind === "remove-container").map((a) => (a as { name: string }).name)).toEqual(["berth-shop-prod-web-next-dep4", "old"]);
    expect(p.actions.filter((a) => a.kind === "remove-tag").map((a) => (a as { tag: string }).tag)).toEqual([`berth-${SVC}:4`, `berth-${SVC}:1`]);
  });

  it("removes the build tag of an image left with no release, and keeps it beside a kept release", () => {
    const seen: Observed = {
      containers: [container()],
      routes: [route()],
      images: [
        { id: "sha256:a", tags: [`berth-${SVC}:3`, `berth-${SVC}:${"a".repeat(40)}-${"1".repeat(12)}`] },
        { id: "sha256:b", tags: [`berth-${SVC}:4`, `berth-${SVC}:${"b".repeat(40)}-${"1".repeat(12)}`] },
      ],
    };
    const p = planConvergence(desired([service()]), seen, local());
    expect(p.actions.map((a) => (a as { tag?: string }).tag)).toEqual([`berth-${SVC}:4`, `berth-${SVC}:${"b".repeat(40)}-${"1".repeat(12)}`]);
  });

  it("leaves what running deployments own: theirs per Postgres, theirs here, and tags newer than the desired state", () => {
    const seen: Observed = {
      containers: [container(), container({ dep: "dep4", name: "cand4" }), container({ dep: "dep5", name: "cand5" })],
      routes: [route()],
      images: images(`berth-${SVC}:4`, `berth-${SVC}:5`, `berth-${SVC}:6`),
    };
    const p = planConvergence(
      desired([service({ active: ["dep4"], keepTags: [`berth-${SVC}:4`], newest: 5 })]),
      seen,
      local({ activeDeployments: new Set(["dep5"]), activeTags: new Set([`berth-${SVC}:5`]) }),
    );
    expect(p.actions).toEqual([]);
  });

  it("leaves a service alone while a deployment here is changing it or changed it after the desired state was taken", () => {
    const p = planConvergence(
      desired([service()]),
      { containers: [container({ dep: "dep4", name: "new-live" })], routes: [route({ upstream: "172.20.0.7:8080" })], images: images(`berth-${SVC}:4`) },
      local({ touched: () => true }),
    );
    expect(p.actions).toEqual([]);
    expect(p.findings).toEqual([]);
  });

  it("gives the live container its stable name back, and keeps only one container of the live release", () => {
    const p = planConvergence(
      desired([service()]),
      {
        containers: [container({ name: "berth-shop-prod-web-next-dep3", id: "a" }), container({ name: "x", id: "b", state: "exited", ips: {} })],
        routes: [route()],
        images: [],
      },
      local(),
    );
    expect(kinds(p)).toEqual(["remove-container", "rename"]);
    expect(p.actions[1]).toMatchObject({ id: "a", to: "berth-shop-prod-web" });
  });

  it("removes the containers, tags and route of a service no longer on this host, and never another host's", () => {
    const other = "svcbbbbbbbbb2";
    const p = planConvergence(
      desired([]),
      {
        containers: [container({ sid: other, name: "gone" }), container({ sid: "svcforeign", host: "hostother", name: "foreign" })],
        routes: [route({ id: `svc-${other}` }), route({ id: "svc-svcforeign", owner: "hostother" }), route({ id: "svc-legacy", owner: null })],
        images: images(`berth-${other}:1`, "berth-svcforeign:1"),
      },
      local(),
    );
    expect(p.actions).toEqual([
      expect.objectContaining({ kind: "remove-container", name: "gone" }),
      expect.objectContaining({ kind: "remove-tag", tag: `berth-${other}:1` }),
      expect.objectContaining({ kind: "remove-route", routeId: `svc-${other}` }),
    ]);
  });

  it("removes the route of a service that has no live release, and of one no longer behind the proxy", () => {
    const none = planConvergence(desired([service({ live: null })]), { containers: [], routes: [route()], images: [] }, local());
    expect(none.actions).toEqual([expect.objectContaining({ kind: "remove-route", routeId: `svc-${SVC}` })]);
    expect(none.findings[0]!.problem).toBeNull();
    const noProxy = planConvergence(desired([service({ route: null })]), { containers: [container()], routes: [route()], images: [] }, local());
    expect(noProxy.actions).toEqual([expect.objectContaining({ kind: "remove-route" })]);
  });
});
