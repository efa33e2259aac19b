// A deployment's log: lines masked (configuration secrets, git credential), appended to the deployment's
// Redis stream in small batches so the console can follow and resume it, and kept as a short tail in memory
// for failure messages. A batch Redis did not take (restarting, unreachable) is sent again until it does,
// before any later one: `flush` resolves once every line so far is in the stream, which the pipeline waits
// for before it reports the end (the control plane then copies the whole log into Postgres).
import type { Redis } from "ioredis";
import { maskSecrets } from "@/lib/config/mask";

const MAX_LINE = 4000;
const FLUSH_MS = 100;
const KEEP_SECONDS = 7 * 24 * 3600; // the control plane copies it into Postgres long before this
const RETRY_MAX_MS = 5000;

export type DeployLog = { line: (text: string) => void; flush: () => Promise<void>; tail: (n: number) => string[] };

export function createDeployLog(redis: Redis, key: string, mask: string[], onError: (e: Error) => void, stopped: () => boolean = () => false): DeployLog {
  const secrets = mask.filter((m) => m.length >= 4);
  let pending: string[] = [];
  const recent: string[] = [];
  let timer: NodeJS.Timeout | null = null;
  let chain = Promise.resolve();

  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    const batch = pending;
    pending = [];
    if (batch.length) {
      chain = chain.then(async () => {
        for (let delay = 200; ; delay = Math.min(delay * 2, RETRY_MAX_MS)) {
          try {
            const m = redis.multi();
            for (const l of batch) m.xadd(key, "MAXLEN", "~", "20000", "*", "line", l);
            m.expire(key, KEEP_SECONDS);
            const res = await m.exec();
            const failed = res ? res.find(([err]) => err)?.[0] : new Error("the transaction was aborted");
            if (failed) throw failed;
            return;
          } catch (e) {
            if (stopped()) return onError(e as Error);
            if (delay === 200) onError(e as Error);
            await new Promise((r) => setTimeout(r, delay));
          }
        }
      });
    }
    return chain;
  };

  return {
    // One entry per line: the copy kept in Postgres is these lines joined by newlines, and a reader resuming
    // by line number must count the same lines in both.
    line(text) {
      for (const raw of maskSecrets(text, secrets).split(/\r?\n/)) {
        const masked = raw.length > MAX_LINE ? `${raw.slice(0, MAX_LINE)}…` : raw;
        pending.push(masked);
        recent.push(masked);
        if (recent.length > 200) recent.shift();
      }
      timer ??= setTimeout(() => void flush(), FLUSH_MS);
    },
    flush,
    tail: (n) => recent.slice(-n),
  };
}
