// Sends notification deliveries: about every second (BERTH_NOTIFY_POLL_MS) claims the PENDING rows that are
// due (lib/data/notifications/store.ts: one UPDATE … FOR UPDATE SKIP LOCKED, so workers never share a row) and sends
// up to 4 at a time, each within BERTH_NOTIFY_TIMEOUT_MS (15 s). Claims only as many as it has room for,
// so nothing it holds waits behind a slow receiver. On close it claims no more and waits for the sends in
// flight (each bounded by its timeout); a worker killed mid-send leaves its claim to run out (60 s).
import { envMs, retrySchedule } from "@/lib/notify/schedule";
import { sendDelivery } from "@/lib/data/notifications/send";
import { claimDueDeliveries } from "@/lib/data/notifications/store";

const CONCURRENCY = 4;

export function startNotificationSender() {
  const pollMs = envMs("BERTH_NOTIFY_POLL_MS", 1000);
  const opts = { timeoutMs: envMs("BERTH_NOTIFY_TIMEOUT_MS", 15_000), schedule: retrySchedule() };
  const inFlight = new Set<Promise<void>>();
  let stopped = false;
  let wake: (() => void) | null = null;

  const send = (c: Awaited<ReturnType<typeof claimDueDeliveries>>[number]) => {
    const p = sendDelivery(c, opts)
      .catch((e) => console.error(`control: notification delivery ${c.id} failed to send (its claim runs out and it is tried again):`, e))
      .finally(() => {
        inFlight.delete(p);
        wake?.(); // room for the next one
      });
    inFlight.add(p);
  };

  const loop = (async () => {
    while (!stopped) {
      try {
        for (const c of await claimDueDeliveries(CONCURRENCY - inFlight.size)) send(c);
      } catch (e) {
        console.error("control: claiming notification deliveries failed:", e);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = null;
    }
  })();

  return {
    async close() {
      stopped = true;
      wake?.();
      await loop;
      await Promise.all([...inFlight]);
    },
  };
}
