"use client";
// The host page's header: name, status, Docker, usage and last heartbeat, patched from the team's live stream
// (heartbeat usage about once a second costs no server render; a change of status, agent or protocol re-renders
// the page, whose agent panel shows them).
import { HostStatus } from "@/components/hosts/host-status";
import { LiveStatus } from "@/components/live/live-provider";
import { type HostRow, hostNews } from "@/components/live/patch-hosts";
import { TickingTime } from "@/components/live/ticking-time";
import { usePatched } from "@/components/live/use-patched";
import { Alert } from "@/components/ui/alert";
import { formatBytes, formatPercent } from "@/lib/format";

type HeaderHost = HostRow & { apiVersion: string | null; os: string | null };

export function HostHeader({ host: server }: { host: HeaderHost }) {
  const host = usePatched(server, hostNews);
  return (
    <>
      <div className="mt-2 flex flex-wrap items-center justify-between gap-3">
        <div className="flex flex-wrap items-center gap-3">
          <h1 className="text-2xl font-semibold tracking-tight">{host.name}</h1>
          <HostStatus status={host.status} since={host.statusSince} />
        </div>
        <LiveStatus />
      </div>
      <p className="mt-1 text-sm text-slate-500" data-testid="host-usage">
        Docker {host.dockerVersion ?? "?"} (API {host.apiVersion ?? "?"}) · {host.os ?? "unknown OS"} · CPU{" "}
        <span className="tabular-nums" data-testid="host-cpu">
          {formatPercent(host.cpuPercent)}
        </span>{" "}
        of {host.cpuCount ?? "?"} · memory{" "}
        <span className="tabular-nums" data-testid="host-memory">
          {formatBytes(host.memUsedBytes)} / {formatBytes(host.memTotalBytes)}
        </span>{" "}
        · last heartbeat {host.lastHeartbeatAt ? <TickingTime date={host.lastHeartbeatAt} /> : "never"}
      </p>
      {host.status !== "ONLINE" && (
        <div className="mt-3">
          <Alert tone="warning">
            {host.status === "PENDING" ? (
              host.isLocal ? (
                "This host's agent has not connected yet."
              ) : (
                "This host's agent has not connected yet: run its install command on the machine (it needs only Docker)."
              )
            ) : (
              <>
                This host is offline. What you see is as of {host.lastSnapshotAt ? <TickingTime date={host.lastSnapshotAt} /> : "its last report"}; actions are
                unavailable until its agent returns.
              </>
            )}
          </Alert>
        </div>
      )}
    </>
  );
}
