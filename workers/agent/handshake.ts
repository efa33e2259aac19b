// The agent's side of the protocol handshake (lib/hosts/handshake.ts): on every Redis "ready", and every
// 15 s (Berth may have been updated without this connection dropping), it reads the `hello` Berth left under
// the host's keys. If Berth speaks another protocol the agent says so and takes no jobs (its BullMQ worker is
// paused) until they match again; heartbeats keep flowing, so the console shows why.
import type { Worker } from "bullmq";
import type { Redis } from "ioredis";
import { helloKey, judgeHello } from "@/lib/hosts/handshake";
import type { AgentConfig } from "./config";

const RECHECK_MS = 15_000;

export function watchHandshake({ redis, cfg, worker, log }: { redis: Redis; cfg: AgentConfig; worker: Worker; log: (m: string) => void }) {
  let refusing = false;
  let stopped = false;
  let busy = false;

  async function check() {
    const verdict = judgeHello(await redis.get(helloKey(cfg.prefix, cfg.hostId)));
    if (stopped) return;
    if (!verdict.ok && !refusing) {
      refusing = true;
      log(verdict.message);
      await worker.pause(true);
    } else if (verdict.ok && refusing) {
      refusing = false;
      log("Berth speaks this agent's protocol again: taking jobs.");
      await worker.resume();
    }
  }
  const run = () => {
    if (busy) return;
    busy = true;
    check()
      .catch((e) => !stopped && log(`reading Berth's hello failed: ${(e as Error).message}`))
      .finally(() => {
        busy = false;
      });
  };

  redis.on("ready", run);
  if (redis.status === "ready") run();
  const timer = setInterval(run, RECHECK_MS);
  return {
    /** Whether the agent is refusing jobs because Berth speaks another protocol. */
    refusing: () => refusing,
    stop() {
      stopped = true;
      clearInterval(timer);
      redis.off("ready", run);
    },
  };
}
