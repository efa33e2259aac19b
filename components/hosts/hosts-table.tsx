"use client";
// The hosts page's table: the server's page of rows, kept current by the team's live stream (usage and status
// patched in place; a re-render only for what a patch cannot show, see hostsNews).
import Link from "next/link";
import { AgentBadge } from "@/components/hosts/agent-badge";
import { HostStatus } from "@/components/hosts/host-status";
import { usePatched } from "@/components/live/use-patched";
import { type HostRow, hostsNews } from "@/components/live/patch-hosts";
import { TickingTime } from "@/components/live/ticking-time";
import { DataTable } from "@/components/ui/data-table";
import { formatBytes, formatPercent } from "@/lib/format";
import { agentStanding } from "@/lib/hosts/agent-version";

export function HostsTable({ hosts, status, base, berthVersion }: { hosts: HostRow[]; status?: string; base: string; berthVersion: string | null }) {
  const rows = usePatched(hosts, (current, msg) => hostsNews(current, status, msg));
  return (
    <DataTable testId="hosts" columns={["Host", "Status", "Docker", "CPU", "Memory", "Containers", "Last heartbeat"]}>
      {rows.map((h) => {
        const stopped = (h.containers.exited ?? 0) + (h.containers.created ?? 0) + (h.containers.dead ?? 0);
        return (
          <tr key={h.id} data-testid={`host-${h.name}`} className="hover:bg-slate-50">
            <td className="px-4 py-3">
              <Link href={`${base}/${h.id}`} className="font-medium text-brand-700 hover:underline">
                {h.name}
              </Link>
              {h.isLocal && <span className="ml-2 text-xs text-slate-400">local</span>}
            </td>
            <td className="px-4 py-3">
              <div className="flex flex-wrap items-center gap-2">
                <HostStatus status={h.status} since={h.statusSince} />
                <AgentBadge standing={agentStanding(h, berthVersion)} />
              </div>
            </td>
            <td className="px-4 py-3 text-slate-600">{h.dockerVersion ?? "–"}</td>
            <td className="px-4 py-3 tabular-nums text-slate-600" data-testid="host-cpu">
              {formatPercent(h.cpuPercent)} {h.cpuCount ? <span className="text-slate-400">of {h.cpuCount}</span> : null}
            </td>
            <td className="px-4 py-3 tabular-nums text-slate-600" data-testid="host-memory">
              {formatBytes(h.memUsedBytes)} <span className="text-slate-400">/ {formatBytes(h.memTotalBytes)}</span>
            </td>
            <td className="px-4 py-3 text-slate-600" data-testid="host-containers">
              <span className="text-emerald-700">{h.containers.running ?? 0} running</span>
              {stopped > 0 && <span className="text-slate-400"> · {stopped} stopped</span>}
              {(h.containers.paused ?? 0) > 0 && <span className="text-amber-700"> · {h.containers.paused} paused</span>}
            </td>
            <td className="px-4 py-3 text-slate-500">{h.lastHeartbeatAt ? <TickingTime date={h.lastHeartbeatAt} /> : "never"}</td>
          </tr>
        );
      })}
    </DataTable>
  );
}
