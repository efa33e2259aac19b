// What a heartbeat says about the host: the Engine's versions and counts plus the machine's CPU and memory.
import { readFile } from "node:fs/promises";
import os from "node:os";
import type Dockerode from "dockerode";
import { type HostFacts, PROTOCOL_VERSION } from "@/lib/hosts/protocol";
import { inAgentImage } from "../config";
import { toDockerError } from "./errors";

type CpuTimes = { busy: number; total: number };

function cpuTimes(): CpuTimes {
  let busy = 0;
  let total = 0;
  for (const { times } of os.cpus()) {
    const all = times.user + times.nice + times.sys + times.idle + times.irq;
    total += all;
    busy += all - times.idle;
  }
  return { busy, total };
}

/** Busy share of all cores between two readings, 0–100. */
export function cpuPercentBetween(prev: CpuTimes, next: CpuTimes): number {
  const total = next.total - prev.total;
  const busy = next.busy - prev.busy;
  if (total <= 0 || busy < 0) return 0;
  return Math.min(100, (busy / total) * 100);
}

/** MemTotal and MemTotal − MemAvailable from /proc/meminfo text (bytes); null if either is missing. */
export function parseMeminfo(text: string): { total: number; used: number } | null {
  const kb = (key: string) => {
    const m = new RegExp(`^${key}:\\s+(\\d+)\\s*kB`, "m").exec(text);
    return m ? Number(m[1]) * 1024 : null;
  };
  const total = kb("MemTotal");
  const available = kb("MemAvailable");
  return total === null || available === null ? null : { total, used: Math.max(0, total - available) };
}

async function memory(): Promise<{ total: number; used: number }> {
  // MemAvailable counts reclaimable cache as free, as `free` does; os.freemem() would not on older Node.
  const text = await readFile("/proc/meminfo", "utf8").catch(() => null);
  const parsed = text ? parseMeminfo(text) : null;
  return parsed ?? { total: os.totalmem(), used: os.totalmem() - os.freemem() };
}

export function createHostFactsSampler(docker: Dockerode, agentVersion: string): () => Promise<HostFacts> {
  let previous: CpuTimes | null = null;
  return async () => {
    let version: Awaited<ReturnType<Dockerode["version"]>>;
    let info: { OperatingSystem?: string; KernelVersion?: string; Images?: number };
    try {
      [version, info] = await Promise.all([docker.version(), docker.info() as Promise<typeof info>]);
    } catch (err) {
      throw toDockerError(err);
    }
    const now = cpuTimes();
    const cpuPercent = previous ? cpuPercentBetween(previous, now) : 0;
    previous = now;
    const mem = await memory();
    return {
      agentVersion,
      dockerVersion: version.Version,
      apiVersion: version.ApiVersion,
      os: info.OperatingSystem ?? os.type(),
      kernel: info.KernelVersion ?? os.release(),
      cpuCount: os.cpus().length,
      cpuPercent,
      memTotalBytes: mem.total,
      memUsedBytes: mem.used,
      images: info.Images ?? 0,
      protocolVersion: PROTOCOL_VERSION,
      inContainer: inAgentImage(),
    };
  };
}
