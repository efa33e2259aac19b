// The daily registry collection: one control worker at a time (a Redis lock), never for a user's own registry.
// garbage-collect itself is a real run in registry-access.test.ts; here it is counted, not run, so the shared
// registry setup started is never collected under other tests.
import fs from "node:fs";
import { afterEach, describe, expect, it, vi } from "vitest";
import { env } from "@/lib/env";
import { adminRedis } from "@/lib/redis/admin";

const calls = vi.hoisted(() => ({ n: 0 }));
vi.mock("@/lib/registry/client", async (real) => ({
  ...(await real<typeof import("@/lib/registry/client")>()),
  garbageCollect: async () => {
    calls.n += 1;
    await new Promise((r) => setTimeout(r, 200));
  },
}));
const { startRegistryGc } = await import("@/workers/control/registry-gc");
const { registryConfigFile } = await import("@/lib/registry/client");

afterEach(async () => {
  calls.n = 0;
  delete process.env.BERTH_PUBLIC_REGISTRY;
  await adminRedis().del(`${env.queuePrefix}:control:registry-gc`);
});

describe("registry garbage collection", () => {
  it.skipIf(!fs.existsSync(registryConfigFile()))("runs once when two control workers try at the same time, then not again until the lock ends", async () => {
    const logs: string[] = [];
    const a = startRegistryGc((m) => logs.push(m));
    const b = startRegistryGc((m) => logs.push(m));
    try {
      await Promise.all([a.collect(), b.collect()]);
      expect(calls.n).toBe(1);
      expect(logs.filter((l) => l.includes("garbage collection done"))).toHaveLength(1);
      await a.collect();
      expect(calls.n).toBe(1);
    } finally {
      a.close();
      b.close();
    }
  });

  it("leaves a user's own registry alone", async () => {
    process.env.BERTH_PUBLIC_REGISTRY = "registry.example.com:5000";
    const gc = startRegistryGc(() => {});
    try {
      await gc.collect();
      expect(calls.n).toBe(0);
    } finally {
      gc.close();
    }
  });
});
