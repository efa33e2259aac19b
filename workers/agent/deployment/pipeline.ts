// One deployment on this host: clone → build (a git service), pull (an image service), or a release's own image
// (a rollback or promotion: this host's copy, or pulled by digest from Berth's registry) → start a candidate
// beside the live container → health check → switch the proxy (if the service is behind it) → retire the
// old container. Each step is reported as it begins. Until the switch, cancelling or failing removes what
// this deployment made (candidate, image tag) and leaves the live release serving; after the switch the new
// release is live and cancelling no longer applies. An image service whose containers cannot run two at once
// (lib/deploy/image-rules.ts) is recreated instead: its old container stops before the candidate starts,
// and starts again (with the route back on it) if the candidate fails.
import type Dockerode from "dockerode";
import type { DeploymentSpec } from "@/lib/hosts/deployment-spec";
import type { DeploymentReport } from "@/lib/hosts/protocol";
import { BuildError } from "../build/build-image";
import { GitError } from "../build/git-remote";
import { candidateName, isRunning, lastLogLines, previousContainers, startCandidate } from "./candidate";
import { waitHealthy, waitSteady } from "./health";
import { gitImage } from "./git-image";
import type { DeployLog } from "./log";
import { pullImage, releaseImage, tagRelease } from "./pull";
import { restartPrevious, stopPrevious } from "./recreate";

export { BUILD_DIR_PREFIX } from "./git-image";
const DRAIN_MS = 1000; // requests already on their way to the old container finish before it stops

export type RouteTable = {
  setRoute(id: string, hosts: string[], upstream: string): Promise<void>;
  listRoutes(): Promise<{ id: string; hosts: string[]; upstream: string }[]>;
};

type Status = DeploymentReport["status"];
export type PipelineDeps = {
  docker: Dockerode;
  proxy: RouteTable;
  log: DeployLog;
  report: (status: Status, extra?: Omit<DeploymentReport, "type" | "at" | "deploymentId" | "status">) => Promise<void>;
  allowLocalGit: boolean;
  hostId: string;
  /** This host's password: its login to Berth's registry as well (berth-registry.ts). */
  password: string;
};

class Cancelled extends Error {}

/** The abort reason when the agent itself stops: the deployment fails (nobody cancelled it). */
export const AGENT_STOPPING = "agent-stopping";

/** After the switch: stop the service's other containers once in-flight requests had time to finish. */
async function retirePrevious(d: PipelineDeps, spec: DeploymentSpec, started: { id: string; container: Dockerode.Container }) {
  const old = await previousContainers(d.docker, spec.serviceId, started.id);
  if (old.length && spec.strategy === "switch") await new Promise((r) => setTimeout(r, DRAIN_MS)); // recreated: stopped long since
  for (const c of old) {
    await d.docker
      .getContainer(c.Id)
      .stop({ t: 10 })
      .catch(() => {});
    await d.docker
      .getContainer(c.Id)
      .remove({ force: true })
      .catch(() => {});
  }
  await started.container.rename({ name: spec.containerName }).catch(() => {});
}

/** Resolves with the release's image id once it went live (the runner then pushes it, push.ts), else null. */
export async function runPipeline(spec: DeploymentSpec, signal: AbortSignal, d: PipelineDeps): Promise<string | null> {
  const check = () => {
    if (signal.aborted) throw new Cancelled("cancelled");
  };
  let tagged = false;
  let buildTag: string | null = null; // a build's second tag (git-image.ts), removed with the release tag on failure
  let startReport: Omit<DeploymentReport, "type" | "at" | "deploymentId" | "status"> = {};
  let candidate: Dockerode.Container | null = null;
  let switched = false;
  let stopped: string[] = []; // recreate: the previous containers, stopped to make room
  let previousRoute: string | null = null;
  let live: string | null = null;
  try {
    let image: string;
    if (spec.source.kind === "git") {
      tagged = true; // from here on the release tag may exist (a build's, or a reused image's)
      const built = await gitImage(spec, spec.source, signal, d);
      image = built.imageId;
      buildTag = built.buildTag;
      startReport = built.report;
    } else if (spec.source.kind === "pull") {
      await d.report("PULLING");
      image = await pullImage(d.docker, spec.source.image, { policy: { allowPrivateNetworks: spec.allowPrivateNetworks }, signal, log: d.log.line });
      d.log.line(`image ${image}`);
      check();
      await tagRelease(d.docker, image, spec.imageTag);
      tagged = true;
    } else {
      // A release run again: this host's copy, or pulled by digest from Berth's registry (PULLING).
      tagged = true;
      image = await releaseImage(d.docker, spec.source, spec.imageTag, {
        registry: spec.registry,
        cfg: { hostId: d.hostId, password: d.password },
        signal,
        log: d.log.line,
        pulling: () => d.report("PULLING"),
      });
    }
    check();

    await d.report("STARTING", { ...startReport, imageId: image });
    if (spec.strategy === "recreate") {
      d.log.line(`Recreating: ${spec.strategyReason ?? "two containers of this service cannot run at once"}; the live container stops first`);
      previousRoute = spec.route ? ((await d.proxy.listRoutes().catch(() => [])).find((r) => r.id === spec.route!.id)?.upstream ?? null) : null;
      stopped = await stopPrevious(d.docker, spec.serviceId);
      check();
      d.log.line(`Starting ${candidateName(spec)}`);
    } else {
      d.log.line(`Starting ${candidateName(spec)} (the live container, if any, keeps serving meanwhile)`);
    }
    const started = await startCandidate(d.docker, spec, image);
    candidate = started.container;
    check();

    const failWithLogs = async (reason: string) => {
      const lines = await lastLogLines(d.docker, started.id, 20);
      for (const l of lines) d.log.line(`  | ${l}`);
      throw new Error(`${reason}${lines.length ? `\nLast log lines of the new container:\n${d.log.tail(lines.length).join("\n")}` : ""}`);
    };
    if (!started.ip) await failWithLogs(`The container stopped right after it started (exit code ${started.exitCode ?? "unknown"}).`);

    await d.report("HEALTH_CHECK");
    const port = spec.port;
    d.log.line(
      port === null
        ? "No port to check: waiting for the container to keep running"
        : spec.health.path
          ? `Waiting for GET ${spec.health.path} on port ${port} to answer 2xx/3xx (up to ${spec.health.timeoutSec} s)`
          : `Waiting for port ${port} to accept connections (up to ${spec.health.timeoutSec} s)`,
    );
    try {
      const watch = { signal, stillRunning: () => isRunning(started.container), onProbe: (f: string) => d.log.line(`  not yet: ${f}`) };
      if (port === null) await waitSteady(watch);
      else await waitHealthy({ ip: started.ip!, port, path: spec.health.path, timeoutSec: spec.health.timeoutSec }, watch);
    } catch (e) {
      check();
      await failWithLogs((e as Error).message);
    }
    check();

    // The switch: one atomic proxy update. From here the new release serves, so it is live; the old
    // container then drains and goes. (A next deployment of the service may begin meanwhile: its own
    // retirement removes whatever of the service is not its candidate, so the two cannot conflict.)
    if (spec.route) await d.proxy.setRoute(spec.route.id, spec.route.hosts, `${started.ip}:${spec.port}`);
    switched = true;
    candidate = null;
    d.log.line(spec.route ? `Traffic for ${spec.route.hosts.join(", ")} now goes to the new container` : "The new container is live");
    await d.log.flush();
    await d.report("LIVE", { imageId: image });
    live = image;
    await retirePrevious(d, spec, started);
    return live;
  } catch (e) {
    if (switched) {
      d.log.line(`After the switch: ${(e as Error).message}`); // the new release serves; keep it
      await d.log.flush();
      return live;
    }
    const stopping = signal.aborted && signal.reason === AGENT_STOPPING;
    const cancelled = (e instanceof Cancelled || signal.aborted) && !stopping;
    if (candidate) await candidate.remove({ force: true }).catch(() => {});
    if (stopped.length) {
      d.log.line("Starting the previous container again");
      await restartPrevious(d.docker, d.proxy, spec, stopped, previousRoute).catch((err) => d.log.line(`  it did not start: ${(err as Error).message}`));
    }
    // Our tag only: a build's image goes with it; a reused release image keeps the release's own tag.
    if (tagged)
      await d.docker
        .getImage(spec.imageTag)
        .remove()
        .catch(() => {});
    if (buildTag)
      await d.docker
        .getImage(buildTag)
        .remove()
        .catch(() => {});
    const message = cancelled
      ? "Cancelled"
      : stopping
        ? "The host's agent was stopped during the deployment; nothing was switched."
        : e instanceof BuildError
          ? e.message
          : (e as Error).message || String(e);
    // The log already holds the container's last lines; the error (shown above the log) repeats them.
    d.log.line(cancelled ? "Cancelled: nothing of this deployment is left running." : `Failed: ${message.split("\n")[0]}`);
    await d.log.flush();
    const offer = e instanceof GitError && e.hostKeyOffer ? { hostKeyOffer: e.hostKeyOffer } : {};
    await d.report(cancelled ? "CANCELLED" : "FAILED", cancelled ? {} : { error: message.slice(0, 8000), ...offer });
    return null;
  }
}
