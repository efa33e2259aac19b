// What the machine spent, read from outside the processes: CPU time and resident memory of a process and all
// its descendants (/proc), rows written in the bench's database (pg_stat_database), commands Redis ran (INFO).
import fs from "node:fs";
import type { Redis } from "ioredis";
import pg from "pg";

const TICKS = 100; // USER_HZ on Linux

function tree(pid: number): number[] {
  const all = [pid];
  for (let i = 0; i < all.length; i++) {
    const p = all[i]!;
    let tasks: string[] = [];
    try {
      tasks = fs.readdirSync(`/proc/${p}/task`);
    } catch {
      continue; // gone
    }
    for (const t of tasks) {
      try {
        all.push(...fs.readFileSync(`/proc/${p}/task/${t}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number));
      } catch {
        /* the thread ended */
      }
    }
  }
  return all;
}

/** Seconds of CPU (user + system) the processes and their descendants have used so far. */
export function cpuSeconds(pids: number[]): number {
  let ticks = 0;
  for (const p of pids.flatMap(tree)) {
    try {
      const stat = fs.readFileSync(`/proc/${p}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" "); // after the command name, which may hold spaces
      ticks += Number(f[11]) + Number(f[12]); // utime, stime
    } catch {
      /* gone */
    }
  }
  return ticks / TICKS;
}

export function rssMb(pids: number[]): number {
  let kb = 0;
  for (const p of pids.flatMap(tree)) {
    try {
      kb += Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${p}/status`, "utf8"))?.[1] ?? 0);
    } catch {
      /* gone */
    }
  }
  return kb / 1024;
}

/** Rows inserted, updated and deleted so far in the database the URL names. */
export async function pgWrites(databaseUrl: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const r = await client.query<{ n: string }>(
      "select (tup_inserted + tup_updated + tup_deleted)::text as n from pg_stat_database where datname = current_database()",
    );
    return Number(r.rows[0]!.n);
  } finally {
    await client.end();
  }
}

export async function redisCommands(redis: Redis): Promise<number> {
  const info = await redis.info("stats");
  return Number(/total_commands_processed:(\d+)/.exec(info)?.[1] ?? Number.NaN);
}

/** A window's figures: counters read at its start and end, memory sampled through it. */
export async function measureWindow(o: {
  seconds: number;
  control: number[];
  sim: number[];
  databaseUrl: string;
  redis: Redis;
}): Promise<{ controlCpuPct: number; controlRssMb: number; simCpuPct: number; pgWritesPerS: number; redisOpsPerS: number }> {
  const t0 = performance.now();
  const [c0, s0, p0, r0] = [cpuSeconds(o.control), cpuSeconds(o.sim), await pgWrites(o.databaseUrl), await redisCommands(o.redis)];
  const rss: number[] = [];
  const end = t0 + o.seconds * 1000;
  while (performance.now() < end) {
    rss.push(rssMb(o.control));
    await new Promise((r) => setTimeout(r, Math.min(5000, Math.max(0, end - performance.now()))));
  }
  const s = (performance.now() - t0) / 1000;
  const [c1, s1, p1, r1] = [cpuSeconds(o.control), cpuSeconds(o.sim), await pgWrites(o.databaseUrl), await redisCommands(o.redis)];
  rss.push(rssMb(o.control));
  return {
    controlCpuPct: ((c1 - c0) / s) * 100,
    controlRssMb: [...rss].sort((a, b) => a - b)[Math.floor(rss.length / 2)]!,
    simCpuPct: ((s1 - s0) / s) * 100,
    pgWritesPerS: (p1 - p0) / s,
    redisOpsPerS: (r1 - r0) / s,
  };
}
