import Link from "next/link";
import { AgentPanel } from "@/components/hosts/agent-panel";
import { HostStatus } from "@/components/hosts/host-status";
import { LiveRefresh } from "@/components/live/live-refresh";
import { NavLinks } from "@/components/team/team-nav";
import { RelativeTime } from "@/components/time";
import { Alert } from "@/components/ui/alert";
import { requireTeam } from "@/lib/auth/session";
import { getHost } from "@/lib/data/hosts";
import { NotFoundError } from "@/lib/errors";
import { formatBytes, formatPercent } from "@/lib/format";
import { currentAgentImage } from "@/lib/hosts/agent-image";
import { agentStanding } from "@/lib/hosts/agent-version";
import { can } from "@/lib/permissions";
import { notFound } from "next/navigation";
import { newInstallCommandAction, updateAgentAction } from "../actions";

export default async function HostLayout({ children, params }: { children: React.ReactNode; params: Promise<{ slug: string; hostId: string }> }) {
  const { slug, hostId } = await params;
  const ctx = await requireTeam(slug);
  const host = await getHost(ctx, hostId).catch((e) => (e instanceof NotFoundError ? notFound() : Promise.reject(e)));
  const base = `/t/${ctx.team.slug}/hosts/${host.id}`;
  const berthVersion = currentAgentImage()?.version ?? null;
  return (
    <>
      <div className="mb-6">
        <Link href={`/t/${ctx.team.slug}/hosts`} className="text-sm text-slate-500 hover:text-slate-800">
          ← Hosts
        </Link>
        <div className="mt-2 flex flex-wrap items-center justify-between gap-3">
          <div className="flex flex-wrap items-center gap-3">
            <h1 className="text-2xl font-semibold tracking-tight">{host.name}</h1>
            <HostStatus status={host.status} since={host.statusSince} />
          </div>
          <LiveRefresh slug={ctx.team.slug} hostId={host.id} />
        </div>
        <p className="mt-1 text-sm text-slate-500">
          Docker {host.dockerVersion ?? "?"} (API {host.apiVersion ?? "?"}) · {host.os ?? "unknown OS"} · CPU {formatPercent(host.cpuPercent)} of{" "}
          {host.cpuCount ?? "?"} · memory {formatBytes(host.memUsedBytes)} / {formatBytes(host.memTotalBytes)} · last heartbeat{" "}
          {host.lastHeartbeatAt ? <RelativeTime date={host.lastHeartbeatAt} /> : "never"}
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
                  This host is offline. What you see is as of {host.lastSnapshotAt ? <RelativeTime date={host.lastSnapshotAt} /> : "its last report"}; actions
                  are unavailable until its agent returns.
                </>
              )}
            </Alert>
          </div>
        )}
        <AgentPanel
          host={host}
          team={ctx.team.slug}
          standing={agentStanding(host, berthVersion)}
          berthVersion={berthVersion}
          canManage={can(ctx.role, "host.manage")}
          updateAction={updateAgentAction}
          installAction={newInstallCommandAction}
        />
      </div>
      <div className="mb-6 border-b border-slate-200">
        <NavLinks
          items={[
            { href: base, label: "Containers", exact: true },
            { href: `${base}/images`, label: "Images" },
            { href: `${base}/settings`, label: "Settings" },
          ]}
        />
      </div>
      {children}
    </>
  );
}
