// The agent image Berth serves to hosts: built by scripts/build-agent-image.mjs (run by `npm start`'s prepare)
// into .berth/agent-image/, a `docker save` tarball (gzip) and manifest.json describing it. Read again only
// when the manifest changes (a rebuild while Berth runs is picked up by the next request).
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";

const manifestSchema = z.object({
  version: z.string().regex(/^[0-9A-Za-z.+_-]{1,100}$/),
  tag: z.string().min(1).max(200),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int().positive(),
});

export type AgentImage = z.infer<typeof manifestSchema> & { file: string };

/** BERTH_AGENT_IMAGE_DIR points elsewhere in tests. */
export function agentImageDir(): string {
  return process.env.BERTH_AGENT_IMAGE_DIR || path.join(process.cwd(), ".berth", "agent-image");
}

let cached: { file: string; mtimeMs: number; image: AgentImage | null } | null = null;

/** The image and its tarball, or null when none was built (Docker was not reachable) or its manifest is unreadable. */
export function currentAgentImage(): AgentImage | null {
  const dir = agentImageDir();
  const manifest = path.join(dir, "manifest.json");
  const stat = fs.statSync(manifest, { throwIfNoEntry: false });
  if (!stat) return null;
  if (cached?.file === manifest && cached.mtimeMs === stat.mtimeMs) return cached.image;
  let image: AgentImage | null = null;
  try {
    const parsed = manifestSchema.safeParse(JSON.parse(fs.readFileSync(manifest, "utf8")));
    if (parsed.success) image = { ...parsed.data, file: path.join(dir, "berth-agent.tar.gz") };
  } catch {
    // half-written or removed meanwhile: no image this time, read again next time
  }
  cached = { file: manifest, mtimeMs: stat.mtimeMs, image };
  return image;
}
