// The report path's own connections: the control worker's heartbeats, snapshots and container events, hundreds
// a second at 1,000 hosts. Their few fixed statements go to PostgreSQL through pg itself: through Prisma each
// cost 0.5–3 ms of CPU (its query compiler and interpreter) against ~0.2 ms here, and at 1,000 hosts that was
// most of the control worker's one core. Rarer writes (a changed snapshot, a restart the team counts, a host
// back from offline) stay on Prisma.
// Every connection of this pool commits asynchronously (synchronous_commit = off for the session): only
// level-triggered state that the host's next report restates is written through it (host-reports.ts
// `asyncCommit` says why that is safe), never anything said once. Its sessions run in UTC, and its timestamps
// (Prisma's `timestamp(3)`, UTC without a zone) are read as UTC whatever the process's own zone.
import pg from "pg";
import { env } from "@/lib/env";
import { pgConfigFromUrl } from "@/lib/pg-config";

const TIMESTAMP = 1114; // timestamp without time zone

const types = new pg.TypeOverrides();
types.setTypeParser(TIMESTAMP, (s: string) => new Date(`${s.replace(" ", "T")}Z`));

const globalForPool = globalThis as unknown as { berthReportPool?: pg.Pool };

export function reportPool(): pg.Pool {
  if (!globalForPool.berthReportPool) {
    const pool = new pg.Pool({ ...pgConfigFromUrl(env.databaseUrl), max: 6, types, options: "-c synchronous_commit=off -c timezone=UTC" });
    // An idle connection dropped by the server must not take the process down: the next query opens another.
    pool.on("error", (e) => console.error(`report pool: ${e.message}`));
    globalForPool.berthReportPool = pool;
  }
  return globalForPool.berthReportPool;
}

/** Rows of one statement on the report pool. */
export async function reportQuery<T>(sql: string, params: unknown[]): Promise<T[]> {
  return (await reportPool().query(sql, params)).rows as T[];
}

export async function closeReportPool() {
  const pool = globalForPool.berthReportPool;
  globalForPool.berthReportPool = undefined;
  await pool?.end();
}

/** Statements on one connection of the report pool in one transaction (rolled back if `fn` throws). */
export async function reportTransaction<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await reportPool().connect();
  let broken: Error | undefined; // a connection that cannot even roll back is dropped, not reused
  try {
    await c.query("BEGIN");
    const out = await fn(c);
    await c.query("COMMIT");
    return out;
  } catch (e) {
    await c.query("ROLLBACK").catch((r: Error) => (broken = r));
    throw e;
  } finally {
    c.release(broken);
  }
}
