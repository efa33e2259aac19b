// The one lock that orders a service's deployments: its row, taken FOR NO KEY UPDATE as the first statement
// of every transaction that adds a deployment or a webhook delivery for it. NO KEY UPDATE conflicts with
// itself (so numbering and "is this push already queued?" are decided one at a time) but not with the
// KEY SHARE locks that inserting rows referencing the service takes; and since it comes first, no
// transaction holds one of those while waiting for it (the webhook deadlock: delivery insert, then FOR UPDATE).
import type { Tx } from "@/lib/db";

/** Locks the service's row for the rest of the transaction; false if the service no longer exists. */
export async function lockService(tx: Tx, serviceId: string): Promise<boolean> {
  const n = await tx.$executeRaw`SELECT 1 FROM "Service" WHERE id = ${serviceId} FOR NO KEY UPDATE`;
  return n > 0;
}
