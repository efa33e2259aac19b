// Time-to-live: a preview whose last push is older than its service's previewTtlHours is torn down like a
// closed pull request (close.ts). The control worker calls this periodically (workers/control/preview-reaper.ts).
import { db } from "@/lib/db";
import { reaperActor } from "./actor";
import { teardownPreview } from "./close";

export async function reapExpiredPreviews(now = new Date()): Promise<string[]> {
  const open = await db.preview.findMany({
    where: { status: { not: "closed" } },
    select: { id: true, lastPushAt: true, service: { select: { previewTtlHours: true } } },
  });
  const expired = open.filter((p) => p.lastPushAt.getTime() + p.service.previewTtlHours * 3600_000 <= now.getTime());
  const reaped: string[] = [];
  for (const p of expired) {
    // Another control worker may have reaped it meanwhile: only an open one is torn down.
    const still = await db.preview.count({ where: { id: p.id, status: { not: "closed" } } });
    if (!still) continue;
    try {
      await teardownPreview(p.id, reaperActor, "time-to-live passed");
      reaped.push(p.id);
    } catch (e) {
      console.error(`previews: reaping ${p.id} failed: ${(e as Error).message}`);
    }
  }
  return reaped;
}
