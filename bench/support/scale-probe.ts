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

/** CPU ticks (user + system) one process has used so far; 0 when it is gone. */
function ticksOf(pid: number): number {
  const stat = readOr(`/proc/${pid}/stat`);
  if (!stat) return 0;
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" "); // after the command name, which may hold spaces
  return Number(f[11]) + Number(f[12]); // utime, stime
}

/** Seconds of CPU (user + system) the processes and their descendants have used so far. */
export function cpuSeconds(pids: number[]): number {
  return pids.flatMap(tree).reduce((n, p) => n + ticksOf(p), 0) / TICKS;
}

/** Seconds of CPU every process named `comm` has used so far (PostgreSQL's server and backends: "postgres"). */
export function cpuSecondsOf(comm: string): number {
  const pids = fs.readdirSync("/proc").filter((d) => /^\d+$/.test(d) && readOr(`/proc/${d}/comm`).trim() === comm);
  return pids.reduce((n, p) => n + ticksOf(Number(p)), 0) / TICKS;
}

function readOr(file: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

/** Seconds of CPU the whole machine has spent busy so far (all cores; /proc/stat, less idle and iowait). */
export function machineCpuSeconds(): number {
  const f = readOr("/proc/stat").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = f;
  return (user + nice + system + irq + softirq + steal) / TICKS;
}

/** Seconds of CPU Redis has used so far, as it says itself (INFO cpu). */
export async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info("cpu");
  const num = (k: string) => Number(new RegExp(`${k}:([\\d.]+)`).exec(info)?.[1] ?? Number.NaN);
  return num("used_cpu_sys") + num("used_cpu_user");
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
export async function measureWindow(o: { seconds: number; control: number[]; sim: number[]; databaseUrl: string; redis: Redis }) {
  const t0 = performance.now();
  const [c0, s0, p0, r0] = [cpuSeconds(o.control), cpuSeconds(o.sim), await pgWrites(o.databaseUrl), await redisCommands(o.redis)];
  const [pc0, rc0, m0] = [cpuSecondsOf("postgres"), await redisCpuSeconds(o.redis), machineCpuSeconds()];
  const rss: number[] = [];
  const end = t0 + o.seconds * 1000;
  while (performance.now() < end) {
    rss.push(rssMb(o.control));
    await new Promise((r) => setTimeout(r, Math.min(5000, Math.max(0, end - performance.now()))));
  }
  const s = (performance.now() - t0) / 1000;
  const [c1, s1, p1, r1] = [cpuSeconds(o.control), cpuSeconds(o.sim), await pgWrites(o.databaseUrl), await redisCommands(o.redis)];
  const [pc1, rc1, m1] = [cpuSecondsOf("postgres"), await redisCpuSeconds(o.redis), machineCpuSeconds()];
  rss.push(rssMb(o.control));
  return {
    controlCpuPct: ((c1 - c0) / s) * 100,
    controlRssMb: [...rss].sort((a, b) => a - b)[Math.floor(rss.length / 2)]!,
    simCpuPct: ((s1 - s0) / s) * 100,
    pgWritesPerS: (p1 - p0) / s,
    redisOpsPerS: (r1 - r0) / s,
    pgCpuPct: ((pc1 - pc0) / s) * 100,
    redisCpuPct: ((rc1 - rc0) / s) * 100,
    machineCpuPct: ((m1 - m0) / s) * 100,
  };
}
