"use client";
// Live container stats: a sample about every 2 s (lib/poll-delay.ts): CPU and memory as Docker's CLI computes
// them, network and block I/O as rates between samples, the last two minutes drawn as small charts.
import { useEffect, useState } from "react";
import { formatBytes, formatPercent } from "@/lib/format";
import { nextPollIn } from "@/lib/poll-delay";

type Sample = {
  cpuPercent: number;
  memUsedBytes: number;
  memLimitBytes: number;
  memPercent: number;
  netRxBytes: number;
  netTxBytes: number;
  blockReadBytes: number;
  blockWriteBytes: number;
  at: string;
};
type Point = Sample & { t: number; netRate: number; blockRate: number };

const KEEP = 60;

export function StatsCharts({ endpoint }: { endpoint: string }) {
  const [points, setPoints] = useState<Point[]>([]);
  const [error, setError] = useState<string>();
  useEffect(() => {
    let stop = false;
    const tick = async () => {
      try {
        const res = await fetch(endpoint);
        const body = await res.json();
        if (!res.ok) throw new Error(body.error?.message ?? "Could not load stats.");
        setError(undefined);
        setPoints((prev) => {
          const s = body as Sample;
          const t = new Date(s.at).getTime();
          const p = prev[prev.length - 1];
          const dt = p ? Math.max((t - p.t) / 1000, 0.001) : 1;
          const netRate = p ? Math.max(0, s.netRxBytes + s.netTxBytes - p.netRxBytes - p.netTxBytes) / dt : 0;
          const blockRate = p ? Math.max(0, s.blockReadBytes + s.blockWriteBytes - p.blockReadBytes - p.blockWriteBytes) / dt : 0;
          return [...prev, { ...s, t, netRate, blockRate }].slice(-KEEP);
        });
      } catch (e) {
        setError((e as Error).message);
      }
      if (!stop) timer = setTimeout(tick, nextPollIn());
    };
    let timer = setTimeout(tick, 0);
    return () => {
      stop = true;
      clearTimeout(timer);
    };
  }, [endpoint]);

  const last = points[points.length - 1];
  return (
    <div>
      {error && <p className="mb-2 text-sm text-red-600">{error}</p>}
      <div className="grid gap-4 sm:grid-cols-2" data-testid="stats">
        <Chart title="CPU" value={last ? formatPercent(last.cpuPercent) : "–"} values={points.map((p) => p.cpuPercent)} color="#2f7de1" />
        <Chart
          title="Memory"
          value={last ? `${formatBytes(last.memUsedBytes)} / ${formatBytes(last.memLimitBytes)}` : "–"}
          values={points.map((p) => p.memUsedBytes)}
          color="#7c3aed"
        />
        <Chart title="Network I/O" value={last ? `${formatBytes(last.netRate)}/s` : "–"} values={points.map((p) => p.netRate)} color="#059669" />
        <Chart title="Block I/O" value={last ? `${formatBytes(last.blockRate)}/s` : "–"} values={points.map((p) => p.blockRate)} color="#d97706" />
      </div>
    </div>
  );
}

function Chart({ title, value, values, color }: { title: string; value: string; values: number[]; color: string }) {
  const w = 300;
  const h = 64;
  const max = Math.max(...values, 1e-9);
  const pts = values.map((v, i) => `${(i / Math.max(KEEP - 1, 1)) * w},${h - (v / max) * (h - 4) - 2}`);
  return (
    <div className="rounded-md border border-slate-200 p-3">
      <div className="mb-1 flex items-baseline justify-between text-sm">
        <span className="font-medium text-slate-700">{title}</span>
        <span className="tabular-nums text-slate-600">{value}</span>
      </div>
      <svg viewBox={`0 0 ${w} ${h}`} className="h-16 w-full" preserveAspectRatio="none" role="img" aria-label={`${title} over the last two minutes`}>
        {pts.length > 1 && (
          <>
            <polygon points={`0,${h} ${pts.join(" ")} ${pts[pts.length - 1]!.split(",")[0]},${h}`} fill={color} opacity="0.12" />
            <polyline points={pts.join(" ")} fill="none" stroke={color} strokeWidth="1.5" />
          </>
        )}
      </svg>
    </div>
  );
}
