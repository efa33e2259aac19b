// Frees the layers of deleted releases. Distribution deletes a manifest at once (lib/registry/client.ts
// deleteManifest) but its blobs only when `garbage-collect` runs. Once a day (BERTH_REGISTRY_GC_MS), by one
// control worker at a time (a Redis lock, so two control workers never collect at once), and only for the
// registry setup runs here: a user's own registry (BERTH_PUBLIC_REGISTRY) collects its own garbage. A push
// that races a collection can lose a layer it uploaded before its manifest: that push then fails, and the
// agent pushes the release again on a later convergence pass.
import fs from "node:fs";
import { env } from "@/lib/env";
import { adminRedis } from "@/lib/redis/admin";
import { garbageCollect, registryConfigFile } from "@/lib/registry/client";

const DAY_MS = 24 * 3600 * 1000;

export function startRegistryGc(log: (m: string) => void = (m) => console.log(`control: ${m}`)) {
  const every = Number(process.env.BERTH_REGISTRY_GC_MS) || DAY_MS;
  const lockKey = `${env.queuePrefix}:control:registry-gc`;
  const collect = async () => {
    if (process.env.BERTH_PUBLIC_REGISTRY || !fs.existsSync(registryConfigFile())) return;
    // Held for most of the period: whichever worker takes it collects, the others skip this round.
    const took = await adminRedis().set(lockKey, String(process.pid), "PX", Math.max(every - 60_000, 60_000), "NX");
    if (took !== "OK") return;
    const started = Date.now();
    try {
      await garbageCollect();
      log(`registry garbage collection done in ${Date.now() - started} ms`);
    } catch (e) {
      log(`registry garbage collection failed: ${(e as Error).message.split("\n")[0]}`);
    }
  };
  const timer = setInterval(() => void collect(), every);
  return { close: () => clearInterval(timer), collect };
}
