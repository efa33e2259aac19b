// What a simulated host answers on its queue: every host job (lib/jobs/host-jobs.ts), from memory. The handler
// map has the agent's own type (workers/agent/jobs.ts HostJobHandlers), so the compiler holds it to every job
// and to each answer's shape; results are sealed to the caller's reply key exactly as the agent seals them.
// Sealed specs (a deployment's, the desired state) are taken from the host's keys and opened as the agent does.
import { randomBytes } from "node:crypto";
import { type Job, UnrecoverableError } from "bullmq";
import type { Redis } from "ioredis";
import { deploymentSpec, deploymentSpecKey } from "@/lib/hosts/deployment-spec";
import { desiredState, desiredStateKey } from "@/lib/hosts/desired-state";
import type { ContainerSummary, DeploymentReport, HostReport } from "@/lib/hosts/protocol";
import { replyTo, sealReply } from "@/lib/hosts/reply";
import { HOST_JOBS, type HostJob } from "@/lib/jobs/host-jobs";
import type { AgentConfig } from "@/workers/agent/config";
import type { HostJobHandlers } from "@/workers/agent/jobs";
import { readSealedSpec } from "@/workers/agent/sealed-spec";
import { changeState } from "./sim-containers";

export type SimJobContext = {
  redis: Redis;
  cfg: AgentConfig;
  containers: Map<string, ContainerSummary>;
  report: (r: HostReport) => Promise<void>;
  /** A container's row changed (an action): report it as the agent's event watcher would. */
  changed: (c: ContainerSummary) => void;
  deployments: Set<string>;
};

const refuse = (msg: string): never => {
  throw new UnrecoverableError(msg);
};

function handlers(c: SimJobContext): HostJobHandlers {
  const find = (dockerId: string) =>
    c.containers.get(dockerId) ?? [...c.containers.values()].find((x) => x.dockerId.startsWith(dockerId)) ?? refuse(`No such container: ${dockerId}`);
  const step = (deploymentId: string, status: DeploymentReport["status"], extra: Partial<DeploymentReport> = {}) =>
    c.report({ type: "deployment", at: new Date().toISOString(), deploymentId, status, ...extra });
  return {
    "container.action": async ({ dockerId, action }) => {
      const row = find(dockerId);
      if (action === "remove") {
        c.containers.delete(row.dockerId);
        await c.report({ type: "removed", at: new Date().toISOString(), dockerId: row.dockerId });
      } else {
        const next = changeState(row, action === "stop" || action === "kill" ? "exited" : "running", action === "kill" ? 137 : 0);
        c.containers.set(row.dockerId, next);
        c.changed(next);
      }
      return { ok: true };
    },
    "container.logs": async ({ dockerId, tail, since }) => {
      find(dockerId);
      const n = since === undefined ? Math.min(tail, 200) : 2; // a follow-up read finds the few lines written since
      const t0 = Date.now() - n * 1000;
      return {
        lines: Array.from({ length: n }, (_, i) => ({
          stream: i % 7 === 6 ? ("stderr" as const) : ("stdout" as const),
          text: `GET /api/items/${i} 200 ${(i * 7) % 90}ms`,
          ts: new Date(t0 + i * 1000).toISOString(),
        })),
      };
    },
    "container.stats": async ({ dockerId }) => {
      find(dockerId);
      return {
        cpuPercent: Math.random() * 20,
        memUsedBytes: 120e6 + Math.random() * 10e6,
        memLimitBytes: 2e9,
        memPercent: 6,
        netRxBytes: Date.now() % 1e9,
        netTxBytes: Date.now() % 5e8,
        blockReadBytes: 1e6,
        blockWriteBytes: 2e6,
        pids: 12,
        at: new Date().toISOString(),
      };
    },
    "container.inspect": async ({ dockerId }) => {
      const row = find(dockerId);
      return {
        image: row.image,
        command: row.command.split(" "),
        entrypoint: ["docker-entrypoint.sh"],
        created: row.createdAt,
        restartPolicy: row.restartPolicy,
        tty: false,
        networks: [{ name: `${row.labels["com.docker.compose.project"] ?? "app"}_default`, ip: "172.18.0.5" }],
        mounts: [{ type: "volume", source: "data", destination: "/data", readOnly: false }],
        envNames: ["NODE_ENV", "DATABASE_URL", "PORT"],
      };
    },
    "container.env": async ({ dockerId }) => {
      find(dockerId);
      return {
        env: [
          { name: "NODE_ENV", value: "production" },
          { name: "PORT", value: "8080" },
        ],
      };
    },
    "images.list": async () => ({
      images: [...new Set([...c.containers.values()].map((x) => x.imageId))].map((id) => {
        const users = [...c.containers.values()].filter((x) => x.imageId === id);
        return {
          id,
          tags: [users[0]!.image],
          sizeBytes: 150e6,
          createdAt: users[0]!.createdAt,
          containers: users.map((u) => ({ id: u.dockerId, name: u.name })),
        };
      }),
    }),
    "image.remove": async () => ({ ok: true }),
    "container.exec": async () => refuse("The host simulator has no terminal."),
    // The spec is taken (as the agent takes it); the steps follow in the background, as a quick image pull's would.
    "deployment.start": async ({ deploymentId }) => {
      const spec = await readSealedSpec(
        c.redis,
        c.cfg,
        deploymentSpecKey(c.cfg.prefix, c.cfg.hostId, deploymentId),
        deploymentSpec,
        "The deployment's instructions expired before this host picked them up.",
      ).catch((e: Error) => refuse(e.message));
      c.deployments.add(deploymentId);
      void (async () => {
        for (const s of ["PULLING", "STARTING", "HEALTH_CHECK"] as const) {
          await step(deploymentId, s);
          await new Promise((r) => setTimeout(r, 150));
        }
        await step(deploymentId, "LIVE", { imageId: `sha256:${randomBytes(32).toString("hex")}` });
        c.deployments.delete(deploymentId);
        await c.report({ type: "release", at: new Date().toISOString(), deploymentId, error: `The host simulator pushes nothing (${spec.serviceId}).` });
      })().catch(() => c.deployments.delete(deploymentId));
      return { ok: true };
    },
    "deployment.cancel": async ({ deploymentId }) => ({ running: c.deployments.has(deploymentId) }),
    "release.prune": async ({ tags }) => ({ removed: tags, kept: [] }),
    "service.remove": async () => ({ containers: 0, tags: 0 }),
    "environment.remove": async () => ({ containers: 0, tags: 0, network: "absent" as const }),
    // The agent converges in the background and reports what it found: here, every service serving as asked.
    "host.converge": async ({ nonce }) => {
      const key = desiredStateKey(c.cfg.prefix, c.cfg.hostId, nonce);
      const desired = await readSealedSpec(c.redis, c.cfg, key, desiredState, "The desired state expired before this host read it.").catch((e: Error) =>
        refuse(e.message),
      );
      if (desired.services.length)
        void c.report({ type: "serving", at: new Date().toISOString(), services: desired.services.map((s) => ({ serviceId: s.serviceId, problem: null })) });
      return { ok: true };
    },
    "git.check": async () => refuse("The host simulator clones nothing."),
    "agent.update": async () => refuse("The host simulator cannot be updated."),
  };
}

const definitions = new Map<string, HostJob>(HOST_JOBS.map((d) => [d.name, d]));

/** The BullMQ processor: payload parsed with the job's definition, answer sealed like the agent's (workers/agent/jobs.ts). */
export function createSimJobHandler(c: SimJobContext) {
  const map = handlers(c);
  return async (job: Job): Promise<string | null> => {
    const def = definitions.get(job.name) ?? refuse(`unknown job ${job.name}`);
    const hasKey = typeof job.data === "object" && job.data !== null && "replyKey" in job.data;
    const reply = replyTo.safeParse(job.data);
    if (hasKey && !reply.success) refuse("The job's reply key is not a public key.");
    const result = await (map[def.name] as (d: unknown) => Promise<unknown>)(def.schema.parse(job.data));
    return reply.success ? sealReply(job, reply.data.replyKey, result) : null;
  };
}
