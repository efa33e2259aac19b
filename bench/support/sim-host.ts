// One simulated host: the agent's own reporter, Redis login (rediss:// pinned to Berth's CA), handshake and
// BullMQ worker, with Docker replaced by containers in memory. Like the agent it sends a heartbeat every 4 s
// and a snapshot on every Redis "ready" and every 30 s; on top, container state changes at a rate the caller
// drives (`flip`), each reported as the agent's event watcher reports one (a `container` report with the row).
import { Worker } from "bullmq";
import type { EnrollmentCredentials } from "@/lib/hosts/enrollment";
import { type ContainerSummary, hostQueueName, PROTOCOL_VERSION } from "@/lib/hosts/protocol";
import { configFromCredentials } from "@/workers/agent/config";
import { watchHandshake } from "@/workers/agent/handshake";
import { JOB_WORKER_OPTIONS } from "@/workers/agent/job-worker-options";
import { agentRedis } from "@/workers/agent/redis";
import { createReporter } from "@/workers/agent/reporter";
import { changeState, makeContainers } from "./sim-containers";
import { createSimJobHandler } from "./sim-jobs";

const HEARTBEAT_MS = 4000;
const SNAPSHOT_MS = 30_000;

/** A container's change reported: what it said, when it was handed to the reporter (`at`, epoch ms) and when it
 * was in the stream (`stored`; NaN: it never got there). */
export type SimEvent = { hostId: string; dockerId: string; state: string; at: number; stored: number };

export type SimHostOptions = { containers: number; log: (m: string) => void; onEvent: (e: SimEvent) => void };

const epochMs = () => performance.timeOrigin + performance.now();

export function startSimHost(creds: EnrollmentCredentials, o: SimHostOptions) {
  const cfg = configFromCredentials(creds);
  const log = (m: string) => o.log(`${cfg.hostId}: ${m}`);
  let failing = false;
  const redis = agentRedis(cfg, (e) => {
    if (!failing) log(`redis: ${e.message}`);
    failing = true;
  });
  redis.on("ready", () => (failing = false));
  const report = createReporter(redis, cfg, log);
  const containers = new Map(makeContainers(o.containers, `sim-${cfg.hostId}`).map((c) => [c.dockerId, c]));
  const deployments = new Set<string>();
  let stopped = false;
  const safely = (what: string, p: Promise<unknown>) => p.catch((e) => !stopped && log(`${what} failed: ${(e as Error).message}`));
  const now = () => new Date().toISOString();

  const changed = (c: ContainerSummary) => {
    const event = { hostId: cfg.hostId, dockerId: c.dockerId, state: c.state, at: epochMs() };
    void safely(
      "container report",
      report({ type: "container", at: now(), container: c }).then(
        () => o.onEvent({ ...event, stored: epochMs() }),
        (e) => {
          o.onEvent({ ...event, stored: Number.NaN });
          throw e;
        },
      ),
    );
  };
  const cpu = 5 + Math.random() * 30;
  const heartbeat = () =>
    safely(
      "heartbeat",
      report({
        type: "heartbeat",
        at: now(),
        deployments: [...deployments],
        facts: {
          agentVersion: "sim",
          dockerVersion: "27.3.1",
          apiVersion: "1.47",
          os: "Ubuntu 24.04.1 LTS",
          kernel: "6.8.0-45-generic",
          cpuCount: 4,
          cpuPercent: Math.round((cpu + (Math.random() - 0.5) * 4) * 10) / 10, // usage moves a little, as a real host's does
          memTotalBytes: 8_300_000_000,
          memUsedBytes: Math.round(3e9 + Math.random() * 5e7),
          images: 14,
          protocolVersion: PROTOCOL_VERSION,
          inContainer: true,
        },
      }),
    );
  const snapshot = () => safely("snapshot", report({ type: "snapshot", at: now(), containers: [...containers.values()] }));
  redis.on("ready", () => {
    void heartbeat();
    void snapshot();
  });

  // One connection for commands (shared with the reporter) and BullMQ's own blocking one: two per host.
  const worker = new Worker(hostQueueName(cfg.hostId), createSimJobHandler({ redis, cfg, containers, report, changed, deployments }), {
    ...JOB_WORKER_OPTIONS, // an agent's: what its idle wait costs Redis
    connection: redis,
    prefix: cfg.prefix,
    autorun: false, // the handshake starts it, as the agent's (workers/agent/handshake.ts)
  });
  worker.on("error", (e) => !stopped && log(`queue: ${e.message}`));
  const handshake = watchHandshake({ redis, cfg, worker, log });
  // Spread over the period, so a thousand hosts do not beat in step.
  const timers: NodeJS.Timeout[] = [];
  const every = (ms: number, fn: () => void) =>
    timers.push(
      setTimeout(() => {
        fn();
        timers.push(setInterval(fn, ms));
      }, Math.random() * ms),
    );
  every(HEARTBEAT_MS, () => void heartbeat());
  every(SNAPSHOT_MS, () => void snapshot());

  return {
    hostId: cfg.hostId,
    containerCount: () => containers.size,
    /** One container changes state, as `docker stop` / `docker start` would make it. */
    flip() {
      const rows = [...containers.values()];
      const row = rows[Math.floor(Math.random() * rows.length)];
      if (!row) return;
      const next = changeState(row, row.state === "running" ? "exited" : "running");
      containers.set(row.dockerId, next);
      changed(next);
    },
    async stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      handshake.stop();
      await Promise.race([worker.close(true), new Promise((r) => setTimeout(r, 3000))]);
      await Promise.race([report({ type: "goodbye", at: now() }).catch(() => {}), new Promise((r) => setTimeout(r, 1000))]);
      report.close();
      redis.disconnect();
    },
  };
}
export type SimHost = ReturnType<typeof startSimHost>;
