// Berth's own calls to its registry: deleting the manifest of a release it no longer keeps, and reclaiming the
// space. Deleting a manifest (and the tags naming it) frees nothing by itself: its blobs go only when
// `garbageCollect()` runs docker-registry's garbage-collect over the storage, which removes every blob no
// manifest references any more. Distribution advises running it while nothing is pushed (a push in flight can
// lose a blob it uploaded before its manifest, and then fails and is retried), so callers run it seldom.
import { execFile } from "node:child_process";
import fs from "node:fs";
import https from "node:https";
import path from "node:path";
import { promisify } from "node:util";
import { z } from "zod";
import { env } from "@/lib/env";
import { registryToken } from "./token";

const run = promisify(execFile);

const target = z.object({
  repo: z.string().regex(/^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/),
  digest: z.string().regex(/^sha256:[a-f0-9]{64}$/),
});

/** Where Berth reaches the registry: a user's own (BERTH_PUBLIC_REGISTRY, trusting Berth's tokens) or its own on loopback. */
export function registryAddress(): string {
  return process.env.BERTH_PUBLIC_REGISTRY ? env.publicRegistry : `127.0.0.1:${process.env.BERTH_REGISTRY_PORT || 5000}`;
}

/** The configuration setup.sh writes for Berth's own registry. */
export function registryConfigFile(): string {
  return path.join(process.cwd(), ".berth", "registry.yml");
}

function request(url: string, method: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const ca = fs.existsSync(env.caFile) ? fs.readFileSync(env.caFile) : undefined;
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method, headers, ca, timeout: 30_000 }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => {
        if (body.length < 4096) body += d;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("timeout", () => req.destroy(new Error(`the registry at ${new URL(url).host} did not answer within 30 s`)));
    req.on("error", reject);
    req.end();
  });
}

/** Deletes the manifest `digest` of `repo` (and its tags). True when deleted, false when it was gone already. */
export async function deleteManifest(repo: string, digest: string, address = registryAddress()): Promise<boolean> {
  const t = target.parse({ repo, digest });
  const { token } = registryToken([{ type: "repository", name: t.repo, actions: ["delete"] }]);
  const res = await request(`https://${address}/v2/${t.repo}/manifests/${t.digest}`, "DELETE", { authorization: `Bearer ${token}` });
  if (res.status === 202) return true;
  if (res.status === 404) return false;
  throw new Error(`the registry refused to delete ${t.repo}@${t.digest} (HTTP ${res.status}): ${res.body.trim().slice(0, 300)}`);
}

/** Removes every blob no manifest references any more, and manifests no tag names (`--delete-untagged`). */
export async function garbageCollect(config = registryConfigFile()): Promise<void> {
  await run("docker-registry", ["garbage-collect", "--delete-untagged", config], { maxBuffer: 16 * 1024 * 1024 });
}
