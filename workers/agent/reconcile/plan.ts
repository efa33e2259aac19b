// The convergence plan, pure: from what should run on this host (the control plane's desired state), what
// Docker and Caddy have (observe.ts) and what this agent's own deployments are doing, the actions that make
// them agree and, per service, what was found. Rules:
// - A service a deployment here is changing, or changed after the desired state was taken, is left alone
//   (the desired state may predate it); so is everything of a deployment still running.
// - The live release's container must exist (missing: recreate it from the release, when the control plane
//   sent its configuration), keep the stable name, and be what the service's route points at, at its
//   current address. A stopped one is reported, not started: someone stopped it.
// - Containers of other deployments (candidates that never went live, earlier releases not retired), the
//   containers and routes of services no longer on this host, release tags that are neither kept for
//   rollback nor used by a running deployment, and the build tags of images left with no release tag, are
//   removed (Docker deletes an image with its last tag).
// Only what this host's agent made is touched: containers labelled with its host id, routes it owns (or
// the routes of its own services), tags of its services.
import { routeId } from "@/lib/deploy/names";
import type { DesiredState } from "@/lib/hosts/desired-state";
import type { DeploymentSpec } from "@/lib/hosts/deployment-spec";
import type { ServingFinding } from "@/lib/hosts/protocol";
import { PORT_LABEL } from "../deployment/candidate";
import type { ProxyRoute } from "../proxy/caddy";

export type SeenContainer = {
  id: string;
  name: string;
  /** The image it runs (its id): what a release is pushed from when its tag went. */
  imageId?: string;
  labels: Record<string, string>;
  /** Docker's state word (running, exited, restarting, paused, created, dead, removing) and its own summary. */
  state: string;
  status: string;
  /** Address per network name. */
  ips: Record<string, string>;
};
/** Berth's images: release tags `berth-<service>:<number>`, and build tags `berth-<service>:<commit>-<hash>`
 * that find a commit's image again (../build/image-cache.ts). */
export type SeenImage = { id: string; tags: string[] };
export type Observed = { containers: SeenContainer[]; routes: ProxyRoute[]; images: SeenImage[] };
export type Local = {
  hostId: string;
  /** A deployment here is changing the service, or changed it after the desired state's basis. */
  touched: (serviceId: string) => boolean;
  activeTags: Set<string>;
  activeDeployments: Set<string>;
};

export type Action =
  | { kind: "set-route"; serviceId: string; routeId: string; hosts: string[]; upstream: string; why: string }
  | { kind: "restore"; serviceId: string; spec: DeploymentSpec }
  | { kind: "remove-container"; serviceId: string; id: string; name: string; why: string }
  | { kind: "rename"; serviceId: string; id: string; from: string; to: string }
  | { kind: "remove-route"; serviceId: string; routeId: string; why: string }
  | { kind: "remove-tag"; serviceId: string; tag: string; why: string };
export type Plan = { actions: Action[]; findings: ServingFinding[] };

const TAG = /^berth-([a-z0-9]+):(.+)$/;

/** Why a container that exists does not serve, without the times in Docker's words (a finding that changes
 * with every check would tell the console of a change every time). */
function notRunning(c: SeenContainer): string {
  const code = /\((-?\d+)\)/.exec(c.status)?.[1];
  switch (c.state) {
    case "restarting":
      return `keeps restarting${code ? ` (last exit code ${code})` : ""}. Its log says why.`;
    case "paused":
      return "is paused. Unpause it on the host's page.";
    case "created":
      return "was created but never started. Start it on the host's page, or deploy again.";
    default:
      return `is stopped${code ? ` (exit code ${code})` : ` (${c.state})`}. Start it on the host's page, or deploy again.`;
  }
}

/** The one container to keep of several of the live release: running first, then the one with the stable name. */
function pickLive(cs: SeenContainer[], stableName: string): SeenContainer | undefined {
  const score = (c: SeenContainer) => (c.state === "running" ? 2 : 0) + (c.name === stableName ? 1 : 0);
  return [...cs].sort((a, b) => score(b) - score(a))[0];
}

function upstreamPort(upstream: string | undefined): number | null {
  const port = upstream ? Number(upstream.slice(upstream.lastIndexOf(":") + 1)) : NaN;
  return Number.isInteger(port) && port > 0 ? port : null;
}

function sameHosts(a: string[], b: string[]) {
  return a.length === b.length && a.every((h, i) => h === b[i]);
}

export function planConvergence(desired: DesiredState, seen: Observed, local: Local): Plan {
  const actions: Action[] = [];
  const findings: ServingFinding[] = [];
  const byService = new Map<string, SeenContainer[]>();
  for (const c of seen.containers) {
    const sid = c.labels["berth.service.id"];
    if (!sid || c.labels["berth.host.id"] !== local.hostId) continue;
    byService.set(sid, [...(byService.get(sid) ?? []), c]);
  }
  const routes = new Map(seen.routes.map((r) => [r.id, r]));
  const restoreFor = new Map(desired.restore.map((s) => [s.deploymentId, s]));
  const wanted = new Map(desired.services.map((s) => [s.serviceId, s]));
  const repoOf = (sid: string) => sid.toLowerCase();
  // Per service: its images, each with its release numbers and its build tags.
  const imagesOf = new Map<string, { releases: { tag: string; number: number }[]; builds: string[] }[]>();
  for (const image of seen.images) {
    const byRepo = new Map<string, { releases: { tag: string; number: number }[]; builds: string[] }>();
    for (const tag of image.tags) {
      const m = TAG.exec(tag);
      if (!m) continue;
      const entry = byRepo.get(m[1]!) ?? { releases: [], builds: [] };
      if (/^\d+$/.test(m[2]!)) entry.releases.push({ tag, number: Number(m[2]) });
      else entry.builds.push(tag);
      byRepo.set(m[1]!, entry);
    }
    for (const [repo, entry] of byRepo) imagesOf.set(repo, [...(imagesOf.get(repo) ?? []), entry]);
  }
  /** Tags to remove of a service's images: release tags `kept` refuses, and build tags of images left with none. */
  const unkeptTags = (sid: string, kept: (t: { tag: string; number: number }) => boolean) =>
    (imagesOf.get(repoOf(sid)) ?? []).flatMap((img) => {
      const drop = img.releases.filter((t) => !kept(t)).map((t) => t.tag);
      return drop.length === img.releases.length ? [...drop, ...img.builds] : drop;
    });
  const mine = (r: ProxyRoute | undefined) => r && (r.owner === local.hostId || r.owner === null);
  const runningHere = (c: SeenContainer) => {
    const dep = c.labels["berth.deployment.id"];
    return !dep || local.activeDeployments.has(dep);
  };

  for (const s of desired.services) {
    if (local.touched(s.serviceId)) continue;
    const containers = byService.get(s.serviceId) ?? [];
    const rid = s.route?.id ?? routeId(s.serviceId);
    const route = routes.get(rid);
    const active = new Set(s.active);
    const others = (keep?: SeenContainer) => containers.filter((c) => c !== keep && !runningHere(c) && !active.has(c.labels["berth.deployment.id"]!));
    let problem: string | null = null;

    if (!s.live) {
      for (const c of others())
        actions.push({ kind: "remove-container", serviceId: s.serviceId, id: c.id, name: c.name, why: "left by a deployment that never went live" });
      if (mine(route)) actions.push({ kind: "remove-route", serviceId: s.serviceId, routeId: rid, why: "no release of the service is live" });
    } else {
      const live = s.live;
      const release = `release #${live.number}`;
      const candidates = containers.filter((c) => c.labels["berth.deployment.id"] === live.deploymentId);
      const keep = pickLive(candidates, s.containerName);
      for (const c of others(keep)) {
        const why =
          c.labels["berth.deployment.id"] && candidates.includes(c)
            ? `a second container of ${release}`
            : "not the live release's (a candidate that never went live, or an earlier release not retired)";
        actions.push({ kind: "remove-container", serviceId: s.serviceId, id: c.id, name: c.name, why });
      }
      if (!keep) {
        const spec = restoreFor.get(live.deploymentId);
        if (spec) {
          actions.push({ kind: "restore", serviceId: s.serviceId, spec });
          problem = `The container of ${release} was removed (by hand?); recreating it from the release.`;
        } else {
          problem = `The container of ${release} is gone; it is recreated from the release as soon as the control plane sends its configuration.`;
        }
      } else if (keep.state !== "running") {
        problem = `The container of ${release} ${notRunning(keep)}`;
      } else {
        if (keep.name !== s.containerName) actions.push({ kind: "rename", serviceId: s.serviceId, id: keep.id, from: keep.name, to: s.containerName });
        if (s.route) {
          const ip = keep.ips[s.network];
          const port = Number(keep.labels[PORT_LABEL]) || upstreamPort(route?.upstream) || s.port;
          if (!ip) problem = `The container of ${release} has no address on the network ${s.network}.`;
          else if (!port) problem = "The service has no port to route to.";
          else {
            const upstream = `${ip}:${port}`;
            const why = !route
              ? "the route was missing (Caddy restarted?)"
              : route.upstream !== upstream
                ? `the container's address changed (the route pointed at ${route.upstream})`
                : !sameHosts(route.hosts, s.route.hosts)
                  ? "the service's hostnames changed"
                  : route.owner !== local.hostId
                    ? "the route did not name its host"
                    : null;
            if (why) actions.push({ kind: "set-route", serviceId: s.serviceId, routeId: rid, hosts: s.route.hosts, upstream, why });
          }
        } else if (mine(route)) {
          actions.push({ kind: "remove-route", serviceId: s.serviceId, routeId: rid, why: "the service is not behind the proxy any more" });
        }
      }
    }

    const kept = (t: { tag: string; number: number }) =>
      t.number > s.newest || s.keepTags.includes(t.tag) || t.tag === s.live?.imageTag || local.activeTags.has(t.tag);
    for (const tag of unkeptTags(s.serviceId, kept)) {
      actions.push({ kind: "remove-tag", serviceId: s.serviceId, tag, why: "a deployment that never went live, or a release no longer kept" });
    }
    findings.push({ serviceId: s.serviceId, problem });
  }

  // Services no longer on this host (deleted, or moved to another): what this agent made for them goes.
  const gone = new Set<string>();
  for (const [sid, containers] of byService) {
    if (wanted.has(sid) || local.touched(sid)) continue;
    gone.add(sid);
    for (const c of containers) {
      if (!runningHere(c)) actions.push({ kind: "remove-container", serviceId: sid, id: c.id, name: c.name, why: "its service is no longer on this host" });
    }
    for (const tag of unkeptTags(sid, (t) => local.activeTags.has(t.tag)))
      actions.push({ kind: "remove-tag", serviceId: sid, tag, why: "its service is no longer on this host" });
  }
  const routeOwners = new Set(desired.services.map((s) => s.route?.id ?? routeId(s.serviceId)));
  for (const r of seen.routes) {
    if (routeOwners.has(r.id) || r.owner !== local.hostId) continue;
    const sid = [...gone].find((g) => routeId(g) === r.id) ?? r.id.replace(/^svc-/, "");
    if (local.touched(sid)) continue;
    actions.push({ kind: "remove-route", serviceId: sid, routeId: r.id, why: "its service is no longer on this host" });
  }
  return { actions, findings };
}
