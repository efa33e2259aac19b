// Reaps previews past their time-to-live (lib/data/previews/reap.ts), every BERTH_PREVIEW_REAP_MS (5 minutes).
import { reapExpiredPreviews } from "@/lib/data/previews";

const EVERY_MS = 5 * 60_000;

export function startPreviewReaper() {
  const every = Number(process.env.BERTH_PREVIEW_REAP_MS) || EVERY_MS;
  let running = false;
  const reap = async () => {
    if (running) return;
    running = true;
    try {
      await reapExpiredPreviews();
    } catch (e) {
      console.error(`control: reaping previews failed: ${(e as Error).message}`);
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void reap(), every);
  return { close: () => clearInterval(timer), reap };
}
