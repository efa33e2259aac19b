// The host agent: one process per Docker host, with only an outbound connection to Redis. It consumes
// its host's queue, and reports heartbeats, container changes (from Docker's event stream) and full
// snapshots. It is level-triggered: a snapshot on start, after any Redis or Docker reconnect, and
// periodically, so state missed while disconnected is put right; the control plane answers each snapshot
// with the host's desired state, on which the agent converges (reconcile/).
import { Worker } from "bullmq";
import { hostQueueName } from "@/lib/hosts/protocol";
import type { AgentConfig } from "./config";
import { connectDocker } from "./docker/connect";
import { inspectSummary, listSummaries } from "./docker/containers";
import { watchContainerEvents } from "./docker/events";
import { createHostFactsSampler } from "./docker/host-facts";
import { watchHandshake } from "./handshake";
import { createJobHandler } from "./jobs";
import { createReporter } from "./reporter";
import { cleanUpAfterRestart } from "./deployment/cleanup";
import { createDeploymentRunner } from "./deployment/runner";
import { inAgentImage } from "./config";
import { createProxy } from "./proxy/caddy";
import { proxyContainerPreparer } from "./proxy/proxy-container";
import { agentRedis } from "./redis";
import { watchForRemoval } from "./removed";
import { removeRetiredAgents } from "./self-update";
import { createReconciler } from "./reconcile/reconciler";
import { AGENT_VERSION } from "./version";
import { JOB_WORKER_OPTIONS } from "./job-worker-options";

export { AGENT_VERSION };

// Container events that do not change what the console shows.
const QUIET = /^(exec_|attach|detach|resize|top|copy|archive-path|extract-to-dir|export|commit)/;

export type AgentOptions = { heartbeatMs?: number; snapshotMs?: number; log?: (msg: string) => void };

export async function startAgent(cfg: AgentConfig, opts: AgentOptions = {}) {
  const log = opts.log ?? ((m: string) => console.log(`agent: ${m}`));
  const { docker, apiVersion } = await connectDocker();
  log(`Docker Engine API ${apiVersion}; host ${cfg.hostId}`);
  // Before any job can start a deployment, and before Redis connects (its first "ready" sends the snapshot).
  // In the agent image Caddy is a container the agent starts itself (before it is first used).
  const proxy = createProxy({ owner: cfg.hostId, prepare: inAgentImage() ? proxyContainerPreparer(docker, log) : undefined });
  if (inAgentImage()) void removeRetiredAgents(docker, log).catch(() => {});
  await cleanUpAfterRestart(docker, proxy, cfg.hostId, log).catch((e) => log(`cleaning up after a restart failed: ${(e as Error).message}`));
  // A refused login may mean this host was removed from Berth: then the agent ends (removed.ts).
  const onRedisError = watchForRemoval({ cfg, docker, log });
  const redis = agentRedis(cfg, (e) => {
    log(`redis: ${e.message}`);
    onRedisError(e);
  });
  const report = createReporter(redis, cfg, log);
  const facts = createHostFactsSampler(docker, AGENT_VERSION);
  let stopped = false;

  const now = () => new Date().toISOString();
  const safely = (what: string, fn: () => Promise<unknown>) => fn().catch((e) => !stopped && log(`${what} failed: ${(e as Error).message}`));

  const deployments = createDeploymentRunner({ docker, redis, cfg, proxy, report, log });
  const reconciler = createReconciler({
    docker,
    proxy,
    hostId: cfg.hostId,
    password: cfg.password,
    runner: deployments,
    report,
    requestState: () => void snapshot(),
    log,
  });

  const heartbeat = () => safely("heartbeat", async () => report({ type: "heartbeat", at: now(), facts: await facts(), deployments: deployments.activeIds() }));
  const snapshot = () => safely("snapshot", async () => report({ type: "snapshot", at: now(), containers: await listSummaries(docker) }));
  const reportContainer = async (dockerId: string) => {
    const c = await inspectSummary(docker, dockerId);
    await report(c ? { type: "container", at: now(), container: c } : { type: "removed", at: now(), dockerId });
  };

  // Docker's event stream, re-opened with a snapshot whenever it drops (events may have been missed).
  let stopEvents = () => {};
  const watch = () => {
    stopEvents = watchContainerEvents(
      docker,
      (e) => {
        if (QUIET.test(e.action)) return;
        void safely("container report", () => reportContainer(e.id));
        reconciler.onEvent(e);
      },
      (err) => {
        if (stopped) return;
        log(`Docker events stream ended${err ? `: ${err.message}` : ""}; reconnecting`);
        setTimeout(() => {
          if (stopped) return;
          watch();
          void snapshot();
          reconciler.local();
        }, 1000);
      },
    );
  };
  watch();

  redis.on("ready", () => {
    void heartbeat();
    void snapshot();
  });

  const worker = new Worker(
    hostQueueName(cfg.hostId),
    createJobHandler({ docker, redis, cfg, deployments, reconciler, proxy, afterAction: reportContainer, log }),
    {
      ...JOB_WORKER_OPTIONS,
      connection: agentRedis(cfg, onRedisError),
      prefix: cfg.prefix,
      autorun: false, // started by the handshake once Berth's hello matches
    },
  );
  worker.on("error", (e) => log(`queue: ${e.message}`));
  // No jobs before the first hello, nor while Berth speaks another protocol (heartbeats go on, so the console shows why).
  const handshake = watchHandshake({ redis, cfg, worker, log });

  const timers = [setInterval(heartbeat, opts.heartbeatMs ?? 4000), setInterval(snapshot, opts.snapshotMs ?? 30_000)];

  return {
    hostId: cfg.hostId,
    /** `crash`: tests only — go silent first, as a killed agent would, so running deployments report nothing. */
    async stop({ goodbye = true, crash = false } = {}) {
      stopped = true;
      timers.forEach(clearInterval);
      handshake.stop();
      stopEvents();
      if (crash) {
        report.close(); // a killed agent says nothing more
        redis.disconnect();
      }
      await worker.close();
      await reconciler.stop();
      // Each deployment cleans up and reports itself failed; with Redis out of reach those reports cannot
      // go, so stopping does not wait for them for long.
      await Promise.race([deployments.stopAll(), new Promise((r) => setTimeout(r, 15_000))]);
      if (goodbye) await Promise.race([report({ type: "goodbye", at: now() }).catch(() => {}), new Promise((r) => setTimeout(r, 2000))]);
      report.close();
      redis.disconnect();
    },
  };
}
