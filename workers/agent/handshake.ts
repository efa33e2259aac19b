// The agent's side of the protocol handshake (lib/hosts/handshake.ts): on every Redis "ready", and every
// 15 s (Berth may have been updated without this connection dropping), it reads the `hello` Berth left under
// the host's keys. The BullMQ worker (made with autorun off) starts only once a hello says the protocols match,
// so no job is taken before that first answer; if Berth later speaks another protocol the worker is paused
// until they match again. Heartbeats keep flowing, so the console shows why.
import type { Worker } from "bullmq";
import type { Redis } from "ioredis";
import { helloKey, judgeHello } from "@/lib/hosts/handshake";
import type { AgentConfig } from "./config";

const RECHECK_MS = 15_000;

export function watchHandshake({ redis, cfg, worker, log }: { redis: Redis; cfg: AgentConfig; worker: Worker; log: (m: string) => void }) {
  let refusing = false;
  let started = false;
  let stopped = false;
  let busy = false;

  async function check() {
    const verdict = judgeHello(await redis.get(helloKey(cfg.prefix, cfg.hostId)));
    if (stopped) return;
    if (!verdict.ok) {
      if (refusing) return;
      refusing = true;
      if (started) await worker.pause(true); // paused before it is said, so nothing is taken after the message
      log(verdict.message);
      return;
    }
    if (!started) {
      started = true;
      worker.run().catch((e) => !stopped && log(`queue: ${(e as Error).message}`));
    } else if (refusing) await worker.resume();
    if (refusing) {
      refusing = false;
      log("Berth speaks this agent's protocol again: taking jobs.");
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
