import { describe, expect, it } from "vitest";
import { statsFromRaw, type RawStats } from "@/workers/agent/docker/stats";

// Shapes as Docker 20.10 sends them: cgroup v1 (this machine) and cgroup v2.
const cgroupV1: RawStats = {
  read: "2024-05-01T10:00:00.123456789Z",
  pids_stats: { current: 7 },
  cpu_stats: { cpu_usage: { total_usage: 2_000_000_000, percpu_usage: [1, 1] }, system_cpu_usage: 110_000_000_000, online_cpus: 2 },
  precpu_stats: { cpu_usage: { total_usage: 1_000_000_000, percpu_usage: [1, 1] }, system_cpu_usage: 100_000_000_000, online_cpus: 2 },
  memory_stats: {
    usage: 104_857_600,
    limit: 1_073_741_824,
    // v1 reports both keys; the CLI uses the hierarchical total_inactive_file.
    stats: { total_inactive_file: 4_194_304, inactive_file: 1_048_576, cache: 9_999_999 },
  },
  networks: { eth0: { rx_bytes: 1000, tx_bytes: 200 }, eth1: { rx_bytes: 24, tx_bytes: 56 } },
  blkio_stats: {
    io_service_bytes_recursive: [
      { op: "Read", value: 4096 },
      { op: "Write", value: 8192 },
      { op: "Sync", value: 999 },
      { op: "Async", value: 1 },
      { op: "Total", value: 12_288 },
      { op: "Read", value: 1024 },
    ],
  },
};

const cgroupV2: RawStats = {
  read: "2024-05-01T10:00:01Z",
  pids_stats: { current: 3 },
  // v2 has no percpu_usage; online_cpus is the only core count.
  cpu_stats: { cpu_usage: { total_usage: 800_000_000 }, system_cpu_usage: 52_000_000_000, online_cpus: 2 },
  precpu_stats: { cpu_usage: { total_usage: 500_000_000 }, system_cpu_usage: 50_000_000_000, online_cpus: 2 },
  memory_stats: { usage: 50_000_000, limit: 200_000_000, stats: { inactive_file: 10_000_000, active_file: 5_000_000, anon: 30_000_000 } },
  blkio_stats: {
    io_service_bytes_recursive: [
      { op: "read", value: 300 },
      { op: "write", value: 1000 },
      { op: "read", value: 200 },
      { op: "discard", value: 77 },
    ],
  },
};

describe("statsFromRaw", () => {
  it("computes the docker CLI's numbers for a cgroup v1 sample", () => {
    const s = statsFromRaw(cgroupV1);
    expect(s.cpuPercent).toBeCloseTo(20, 10); // 1e9 / 10e9 * 2 cpus * 100
    expect(s.memUsedBytes).toBe(104_857_600 - 4_194_304);
    expect(s.memLimitBytes).toBe(1_073_741_824);
    expect(s.memPercent).toBeCloseTo(9.375, 10);
    expect(s.netRxBytes).toBe(1024);
    expect(s.netTxBytes).toBe(256);
    expect(s.blockReadBytes).toBe(5120);
    expect(s.blockWriteBytes).toBe(8192);
    expect(s.pids).toBe(7);
    expect(s.at).toBe("2024-05-01T10:00:00.123Z");
  });

  it("computes the docker CLI's numbers for a cgroup v2 sample", () => {
    const s = statsFromRaw(cgroupV2);
    expect(s.cpuPercent).toBeCloseTo(30, 10); // 3e8 / 2e9 * 2 * 100
    expect(s.memUsedBytes).toBe(40_000_000);
    expect(s.memPercent).toBeCloseTo(20, 10);
    expect(s.netRxBytes).toBe(0); // network mode none: no networks key
    expect(s.netTxBytes).toBe(0);
    expect(s.blockReadBytes).toBe(500);
    expect(s.blockWriteBytes).toBe(1000);
    expect(s.pids).toBe(3);
    expect(s.at).toBe("2024-05-01T10:00:01.000Z");
  });

  it("counts CPUs from percpu_usage when online_cpus is missing", () => {
    const s = statsFromRaw({
      cpu_stats: { cpu_usage: { total_usage: 1_250_000_000, percpu_usage: [1, 2, 3, 4] }, system_cpu_usage: 20_000_000_000 },
      precpu_stats: { cpu_usage: { total_usage: 1_000_000_000 }, system_cpu_usage: 10_000_000_000 },
    });
    expect(s.cpuPercent).toBeCloseTo(10, 10); // 2.5e8 / 1e10 * 4 * 100
  });

  it("keeps usage when the inactive cache exceeds it, and avoids dividing by zero", () => {
    const s = statsFromRaw({
      memory_stats: { usage: 1000, limit: 0, stats: { total_inactive_file: 5000 } },
      // One-shot samples leave precpu empty: no delta, no CPU figure.
      cpu_stats: { cpu_usage: { total_usage: 5 }, system_cpu_usage: 10, online_cpus: 2 },
      precpu_stats: {},
    });
    expect(s.memUsedBytes).toBe(1000);
    expect(s.memPercent).toBe(0);
    expect(s.cpuPercent).toBe(0);
  });

  it("turns a stopped container's empty sample into zeros stamped now", () => {
    const before = Date.now();
    const s = statsFromRaw({ read: "0001-01-01T00:00:00Z", pids_stats: {}, memory_stats: {}, blkio_stats: { io_service_bytes_recursive: null } });
    expect(s).toMatchObject({ cpuPercent: 0, memUsedBytes: 0, memLimitBytes: 0, netRxBytes: 0, blockReadBytes: 0, pids: 0 });
    expect(Date.parse(s.at)).toBeGreaterThanOrEqual(before - 1);
  });
});
