// One deployment on this host: clone → build → start a candidate beside the live container → health check
// → switch the proxy → retire the old container. Each step is reported as it begins. Until the switch,
// cancelling or failing removes what this deployment made (candidate, image tag) and leaves the live
// release serving; after the switch the new release is live and cancelling no longer applies.
import type Dockerode from "dockerode";
import type { DeploymentSpec } from "@/lib/hosts/deployment-spec";
import type { DeploymentReport } from "@/lib/hosts/protocol";
import { BuildError } from "../build/build-image";
import { GitError } from "../build/git-remote";
import { dockerMessage } from "../docker/errors";
import { candidateName, isRunning, lastLogLines, previousContainers, startCandidate } from "./candidate";
import { waitHealthy } from "./health";
import { gitImage } from "./git-image";
import type { DeployLog } from "./log";

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
};

class Cancelled extends Error {}

/** The abort reason when the agent itself stops: the deployment fails (nobody cancelled it). */
export const AGENT_STOPPING = "agent-stopping";

/** After the switch: stop the service's other containers once in-flight requests had time to finish. */
async function retirePrevious(d: PipelineDeps, spec: DeploymentSpec, started: { id: string; container: Dockerode.Container }) {
  const old = await previousContainers(d.docker, spec.serviceId, started.id);
  if (old.length) await new Promise((r) => setTimeout(r, DRAIN_MS));
  for (const c of old) {
    await d.docker.getContainer(c.Id).stop({ t: 10 }).catch(() => {});
    await d.docker.getContainer(c.Id).remove({ force: true }).catch(() => {});
  }
  await started.container.rename({ name: spec.containerName }).catch(() => {});
}

export async function runPipeline(spec: DeploymentSpec, signal: AbortSignal, d: PipelineDeps): Promise<void> {
  const check = () => {
    if (signal.aborted) throw new Cancelled("cancelled");
  };
  let tagged = false;
  let buildTag: string | null = null; // a build's second tag (git-image.ts), removed with the release tag on failure
  let startReport: Omit<DeploymentReport, "type" | "at" | "deploymentId" | "status"> = {};
  let candidate: Dockerode.Container | null = null;
  let switched = false;
  try {
    let image: string;
    if (spec.source.kind === "git") {
      tagged = true; // from here on the release tag may exist (a build's, or a reused image's)
      const built = await gitImage(spec, spec.source, signal, d);
      image = built.imageId;
      buildTag = built.buildTag;
      startReport = built.report;
    } else {
      image = spec.source.imageId;
      const [repo, tag] = spec.imageTag.split(":");
      await d.docker.getImage(image).tag({ repo, tag }).catch((e) => {
        throw new Error(`The release's image ${image.slice(7, 19)} is not on this host any more: ${dockerMessage(e)}`);
      });
      tagged = true;
    }
    check();

    await d.report("STARTING", { ...startReport, imageId: image });
    d.log.line(`Starting ${candidateName(spec)} (the live container, if any, keeps serving meanwhile)`);
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
    d.log.line(spec.health.path ? `Waiting for GET ${spec.health.path} on port ${spec.port} to answer 2xx/3xx (up to ${spec.health.timeoutSec} s)` : `Waiting for port ${spec.port} to accept connections (up to ${spec.health.timeoutSec} s)`);
    try {
      await waitHealthy({ ip: started.ip!, port: spec.port, path: spec.health.path, timeoutSec: spec.health.timeoutSec }, { signal, stillRunning: () => isRunning(started.container), onProbe: (f) => d.log.line(`  not yet: ${f}`) });
    } catch (e) {
      check();
      await failWithLogs((e as Error).message);
    }
    check();

    // The switch: one atomic proxy update. From here the new release serves, so it is live; the old
    // container then drains and goes. (A next deployment of the service may begin meanwhile: its own
    // retirement removes whatever of the service is not its candidate, so the two cannot conflict.)
    await d.proxy.setRoute(spec.route.id, spec.route.hosts, `${started.ip}:${spec.port}`);
    switched = true;
    candidate = null;
    d.log.line(`Traffic for ${spec.route.hosts.join(", ")} now goes to the new container`);
    await d.log.flush();
    await d.report("LIVE", { imageId: image });
    await retirePrevious(d, spec, started);
  } catch (e) {
    if (switched) {
      d.log.line(`After the switch: ${(e as Error).message}`); // the new release serves; keep it
      await d.log.flush();
      return;
    }
    const stopping = signal.aborted && signal.reason === AGENT_STOPPING;
    const cancelled = (e instanceof Cancelled || signal.aborted) && !stopping;
    if (candidate) await candidate.remove({ force: true }).catch(() => {});
    // Our tag only: a build's image goes with it; a reused release image keeps the release's own tag.
    if (tagged) await d.docker.getImage(spec.imageTag).remove().catch(() => {});
    if (buildTag) await d.docker.getImage(buildTag).remove().catch(() => {});
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
  }
}
