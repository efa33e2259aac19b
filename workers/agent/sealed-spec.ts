// Reading what the control plane sealed for this host (lib/hosts/host-seal.ts): taken from the host's own
// Redis keys once (GETDEL), opened with the key derived from this agent's password, parsed with its schema.
import type { Redis } from "ioredis";
import type { z } from "zod";
import { openAsHost } from "@/lib/hosts/host-seal";
import type { AgentConfig } from "./config";

export async function readSealedSpec<S extends z.ZodType>(redis: Redis, cfg: AgentConfig, key: string, schema: S, gone: string): Promise<z.output<S>> {
  const sealed = await redis.getdel(key);
  if (!sealed) throw new Error(gone);
  return schema.parse(openAsHost(decodeURIComponent(new URL(cfg.redisUrl).password), key, sealed));
}
