// One resource sample of a container. The formulas follow the docker CLI's `docker stats`
// (docker/cli cli/command/container/stats_helpers.go), so the console shows the numbers users already know.
import type Dockerode from "dockerode";
import { toDockerError } from "./errors";
import type { StatsSample } from "@/lib/hosts/results";

export type { StatsSample };

type CpuStats = { cpu_usage?: { total_usage?: number; percpu_usage?: number[] | null }; system_cpu_usage?: number; online_cpus?: number };

/** The parts of GET /containers/{id}/stats this module reads; every field may be absent (e.g. a stopped container). */
export type RawStats = {
  read?: string;
  pids_stats?: { current?: number };
  cpu_stats?: CpuStats;
  precpu_stats?: CpuStats;
  memory_stats?: { usage?: number; limit?: number; stats?: Record<string, number | undefined> };
  networks?: Record<string, { rx_bytes?: number; tx_bytes?: number }>;
  blkio_stats?: { io_service_bytes_recursive?: { op?: string; value?: number }[] | null };
};

const n = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : 0);

/** calculateCPUPercentUnix: the container's share of host CPU time, scaled by its online CPUs (200% = 2 cores). */
function cpuPercent(raw: RawStats): number {
  const cpu = raw.cpu_stats;
  const pre = raw.precpu_stats;
  // No previous reading (one-shot, or the first cycle): the CLI would show a since-boot average; 0 is honest.
  if (!n(pre?.system_cpu_usage)) return 0;
  const cpuDelta = n(cpu?.cpu_usage?.total_usage) - n(pre?.cpu_usage?.total_usage);
  const systemDelta = n(cpu?.system_cpu_usage) - n(pre?.system_cpu_usage);
  const online = n(cpu?.online_cpus) || (cpu?.cpu_usage?.percpu_usage?.length ?? 0);
  return systemDelta > 0 && cpuDelta > 0 ? (cpuDelta / systemDelta) * online * 100 : 0;
}

/** calculateMemUsageUnixNoCache: usage minus inactive page cache (cgroup v1 total_inactive_file, v2 inactive_file). */
function memUsed(mem: RawStats["memory_stats"]): number {
  const usage = n(mem?.usage);
  const stats = mem?.stats ?? {};
  const v1 = stats.total_inactive_file;
  if (v1 !== undefined && v1 < usage) return usage - v1;
  const v2 = n(stats.inactive_file);
  if (v2 < usage) return usage - v2;
  return usage;
}

/** calculateBlockIO: bytes over all devices, by operation. */
function blockIo(raw: RawStats): { read: number; write: number } {
  let read = 0;
  let write = 0;
  for (const entry of raw.blkio_stats?.io_service_bytes_recursive ?? []) {
    const op = entry.op?.toLowerCase();
    if (op === "read") read += n(entry.value);
    else if (op === "write") write += n(entry.value);
  }
  return { read, write };
}

export function statsFromRaw(raw: RawStats): StatsSample {
  const used = memUsed(raw.memory_stats);
  const limit = n(raw.memory_stats?.limit);
  let rx = 0;
  let tx = 0;
  for (const net of Object.values(raw.networks ?? {})) {
    rx += n(net.rx_bytes);
    tx += n(net.tx_bytes);
  }
  const io = blockIo(raw);
  // A stopped container's sample carries Docker's zero time; "now" is the honest answer then.
  const read = raw.read && !raw.read.startsWith("0001-01-01") ? Date.parse(raw.read) : NaN;
  return {
    cpuPercent: cpuPercent(raw),
    memUsedBytes: used,
    memLimitBytes: limit,
    memPercent: limit > 0 ? (used / limit) * 100 : 0,
    netRxBytes: rx,
    netTxBytes: tx,
    blockReadBytes: io.read,
    blockWriteBytes: io.write,
    pids: n(raw.pids_stats?.current),
    at: new Date(Number.isNaN(read) ? Date.now() : read).toISOString(),
  };
}

export async function sampleStats(docker: Dockerode, id: string): Promise<StatsSample> {
  try {
    // stream:false without one-shot: the Engine waits one cycle (~1 s) so precpu_stats is filled in.
    return statsFromRaw(await docker.getContainer(id).stats({ stream: false }));
  } catch (err) {
    throw toDockerError(err);
  }
}
