// Transactions that PostgreSQL may abort for a write conflict or a deadlock (SQLSTATE 40001, 40P01) are run
// again rather than turned into a 500: the lock order makes deadlocks impossible among Berth's own
// deployment writes, but other writers (or a future one) should not cost a lost push.

/** Whether the error is PostgreSQL giving up on a transaction that would succeed if run again. */
export function isRetryableConflict(e: unknown): boolean {
  if (typeof e !== "object" || e === null) return false;
  const err = e as { code?: unknown; meta?: { driverAdapterError?: { cause?: { kind?: unknown; originalCode?: unknown } } } };
  if (err.code === "P2034") return true; // Prisma's "write conflict or deadlock"
  const cause = err.meta?.driverAdapterError?.cause; // the same from a raw query (P2010)
  return cause?.kind === "TransactionWriteConflict" || cause?.originalCode === "40001" || cause?.originalCode === "40P01";
}

/** Runs `fn`, again after a short random pause while it fails with a retryable conflict. */
export async function retryOnConflict<T>(fn: () => Promise<T>, attempts = 5, pauseMs = 20): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (attempt >= attempts || !isRetryableConflict(e)) throw e;
      await new Promise((r) => setTimeout(r, Math.random() * pauseMs * attempt));
    }
  }
}
