// The agent's convergence loop. The control plane answers every snapshot this agent reports (on start, after
// any Redis or Docker reconnect, every 30 s, and soon after a container of a live release dies or goes) with
// the host's desired state; each one runs a pass: observe, plan (plan.ts), act, and report per service what
// was found (a `serving` report). Between answers the last desired state, without its secrets, serves local
// passes: when a container of this host starts again (a dockerd restart hands out new addresses) its route
// follows it at once, even while the control plane is unreachable. Passes run one at a time; a newer desired
// state replaces one still waiting.
import type Dockerode from "dockerode";
import type { DesiredState } from "@/lib/hosts/desired-state";
import type { HostReport, ServingFinding } from "@/lib/hosts/protocol";
import type { ContainerEvent } from "../docker/events";
import { dockerMessage } from "../docker/errors";
import type { DeploymentRunner } from "../deployment/runner";
import type { ReverseProxy } from "../proxy/caddy";
import { observe } from "./observe";
import { planConvergence, type Plan } from "./plan";
import { restoreRelease } from "./restore";

const EVENT_DEBOUNCE_MS = 500;

type Deps = {
  docker: Dockerode;
  proxy: ReverseProxy;
  hostId: string;
  /** The host's password, its login to Berth's registry: a release whose image is gone is pulled back from it. */
  password?: string;
  runner: Pick<DeploymentRunner, "touched" | "activeTags" | "activeIds" | "pushAgain">;
  report: (r: HostReport) => Promise<void>;
  /** Ask the control plane for a fresh desired state (by sending a snapshot). */
  requestState: () => void;
  log: (m: string) => void;
};

export function createReconciler(d: Deps) {
  let last: DesiredState | null = null; // without `restore`: its secrets are not kept
  let waiting: DesiredState | null = null;
  let draining: Promise<void> | null = null;
  let stopped = false;
  const abort = new AbortController();
  let known = new Map<string, string>(); // container id → service id, from the last pass
  const timers = { local: null as NodeJS.Timeout | null, request: null as NodeJS.Timeout | null };

  const say = (sid: string, m: string) => d.log(`converge: ${m} (service ${sid})`);

  async function apply(plan: Plan, basis: number): Promise<ServingFinding[]> {
    const problems = new Map(plan.findings.map((f) => [f.serviceId, f.problem]));
    const guard = (sid: string) => () => d.runner.touched(sid, basis);
    const tryTo = async (sid: string, what: string, fn: () => Promise<unknown>) => {
      try {
        await fn();
        return true;
      } catch (e) {
        say(sid, `could not ${what}: ${dockerMessage(e)}`);
        if (problems.has(sid) && problems.get(sid) === null) problems.set(sid, `Could not ${what}: ${dockerMessage(e)}`);
        return false;
      }
    };
    const of = <K extends Plan["actions"][number]["kind"]>(k: K) =>
      plan.actions.filter((a): a is Extract<Plan["actions"][number], { kind: K }> => a.kind === k);

    for (const a of of("set-route")) {
      if (await tryTo(a.serviceId, "set the route", () => d.proxy.setRoute(a.routeId, a.hosts, a.upstream, { unless: guard(a.serviceId) })))
        say(a.serviceId, `route ${a.routeId} → ${a.upstream}: ${a.why}`);
    }
    const restores = of("restore");
    const renames = of("rename").map((a) => ({ serviceId: a.serviceId, id: a.id, to: a.to }));
    if (restores.length)
      await d.report({
        type: "serving",
        at: new Date().toISOString(),
        services: restores.map((a) => ({ serviceId: a.serviceId, problem: problems.get(a.serviceId) ?? null })),
      });
    for (const a of restores) {
      if (guard(a.serviceId)()) continue;
      say(a.serviceId, `recreating the container of release ${a.spec.deploymentId}`);
      try {
        const id = await restoreRelease(
          d.docker,
          d.proxy,
          a.spec,
          abort.signal,
          guard(a.serviceId),
          d.password ? { hostId: d.hostId, password: d.password } : undefined,
        );
        renames.push({ serviceId: a.serviceId, id, to: a.spec.containerName });
        problems.set(a.serviceId, null);
      } catch (e) {
        say(a.serviceId, `recreating failed: ${(e as Error).message}`);
        problems.set(a.serviceId, `Recreating the live release's container failed: ${(e as Error).message}. Trying again at the next check.`);
      }
    }
    for (const a of of("remove-container")) {
      if (guard(a.serviceId)()) continue;
      if (await tryTo(a.serviceId, `remove ${a.name}`, () => d.docker.getContainer(a.id).remove({ force: true })))
        say(a.serviceId, `removed ${a.name}: ${a.why}`);
    }
    for (const a of renames) {
      if (guard(a.serviceId)()) continue;
      if (await tryTo(a.serviceId, `rename the live container to ${a.to}`, () => d.docker.getContainer(a.id).rename({ name: a.to })))
        say(a.serviceId, `renamed the live container to ${a.to}`);
    }
    for (const a of of("remove-route")) {
      if (guard(a.serviceId)()) continue;
      if (await tryTo(a.serviceId, `remove route ${a.routeId}`, () => d.proxy.removeRoute(a.routeId))) say(a.serviceId, `removed route ${a.routeId}: ${a.why}`);
    }
    for (const a of of("remove-tag")) {
      if (d.runner.activeTags().has(a.tag)) continue;
      // Docker refuses while a container uses the image under this tag alone: the next pass tries again.
      await d.docker
        .getImage(a.tag)
        .remove()
        .then(
          () => say(a.serviceId, `removed tag ${a.tag}: ${a.why}`),
          () => {},
        );
    }
    return [...problems].map(([serviceId, problem]) => ({ serviceId, problem }));
  }

  async function pass(desired: DesiredState) {
    const basis = Date.parse(desired.basis);
    const seen = await observe(d.docker, d.proxy, d.hostId);
    known = new Map(seen.containers.map((c) => [c.id, c.labels["berth.service.id"] ?? ""]));
    const plan = planConvergence(desired, seen, {
      hostId: d.hostId,
      touched: (sid) => d.runner.touched(sid, basis),
      activeTags: d.runner.activeTags(),
      activeDeployments: new Set(d.runner.activeIds()),
    });
    const findings = await apply(plan, basis);
    if (findings.length) await d.report({ type: "serving", at: new Date().toISOString(), services: findings });
    // Live releases Berth's registry still lacks (a push failed, or the agent stopped during it): pushed again.
    // From the image the live container runs: its release tag may be gone (removed by hand), the image is not.
    for (const s of desired.services)
      if (s.live?.push && s.live.imageTag && desired.registry) {
        const liveId = s.live.deploymentId;
        const running = seen.containers.find((c) => c.labels["berth.deployment.id"] === liveId && c.imageId);
        d.runner.pushAgain(
          { deploymentId: liveId, serviceId: s.serviceId, imageTag: s.live.imageTag, registry: { ...desired.registry, repository: s.live.push } },
          running?.imageId,
        );
      }
  }

  async function drain() {
    while (waiting && !stopped) {
      const desired = waiting;
      waiting = null;
      await pass(desired).catch((e) => !stopped && d.log(`converge: the pass failed: ${dockerMessage(e)}`));
    }
    draining = null;
  }

  function schedule(desired: DesiredState, replace: boolean) {
    if (stopped || (!replace && waiting)) return;
    waiting = desired;
    draining ??= drain();
  }

  /** A pass on the last desired state (after a Docker reconnect, or a container of this host started). */
  const local = () => {
    if (last) schedule(last, false);
  };

  return {
    /** A desired state from the control plane (the `host.converge` job). */
    converge(desired: DesiredState) {
      if (desired.hostId !== d.hostId) throw new Error("The desired state is for another host.");
      last = { ...desired, restore: [] };
      schedule(desired, true);
    },
    local,
    /** Docker's events: a known container starting again re-routes it; one dying or removed asks for a fresh state. */
    onEvent(e: ContainerEvent) {
      if (stopped || !known.get(e.id)) return;
      if (e.action === "start") {
        if (timers.local) clearTimeout(timers.local);
        timers.local = setTimeout(local, EVENT_DEBOUNCE_MS);
      } else if (e.action === "destroy" || e.action === "die") {
        if (timers.request) clearTimeout(timers.request);
        timers.request = setTimeout(d.requestState, EVENT_DEBOUNCE_MS);
      }
    },
    async stop() {
      stopped = true;
      abort.abort();
      for (const t of Object.values(timers)) if (t) clearTimeout(t);
      await draining;
    },
  };
}
export type Reconciler = ReturnType<typeof createReconciler>;
