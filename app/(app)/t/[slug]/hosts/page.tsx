import Link from "next/link";
import { AgentBadge } from "@/components/hosts/agent-panel";
import { HostStatus } from "@/components/hosts/host-status";
import { InstallCommandResult } from "@/components/hosts/install-command";
import { LiveRefresh } from "@/components/live/live-refresh";
import { PageHeader } from "@/components/shell/page-header";
import { RelativeTime } from "@/components/time";
import { ActionForm } from "@/components/ui/action-form";
import { Alert } from "@/components/ui/alert";
import { SubmitButton } from "@/components/ui/button";
import { Card, EmptyState } from "@/components/ui/card";
import { DataTable } from "@/components/ui/data-table";
import { Field } from "@/components/ui/field";
import { requireTeam } from "@/lib/auth/session";
import { listHosts } from "@/lib/data/hosts";
import { localHostWaitsFor } from "@/lib/data/local-host";
import { formatBytes, formatPercent } from "@/lib/format";
import { currentAgentImage } from "@/lib/hosts/agent-image";
import { agentStanding } from "@/lib/hosts/agent-version";
import { can } from "@/lib/permissions";
import { addHostAction } from "./actions";

export const metadata = { title: "Hosts" };

export default async function HostsPage({ params }: { params: Promise<{ slug: string }> }) {
  const ctx = await requireTeam((await params).slug);
  const [hosts, localWaits] = await Promise.all([listHosts(ctx), localHostWaitsFor(ctx.actor)]);
  const base = `/t/${ctx.team.slug}/hosts`;
  const berthVersion = currentAgentImage()?.version;
  return (
    <>
      <PageHeader title="Hosts" description="Docker hosts whose agents report to this team." actions={<LiveRefresh slug={ctx.team.slug} />} />
      {localWaits && (
        <div className="mb-4">
          <Alert>
            The machine running Berth belongs to no team yet. As the instance owner you can give its Docker to a team on the{" "}
            <Link href="/instance" className="font-medium underline">
              Instance
            </Link>{" "}
            page.
          </Alert>
        </div>
      )}
      {hosts.length === 0 ? (
        <EmptyState title="No hosts yet">
          {can(ctx.role, "host.manage") ? "Add a host below and paste its install command on the machine." : "An admin can add one."}
        </EmptyState>
      ) : (
        <DataTable testId="hosts" columns={["Host", "Status", "Docker", "CPU", "Memory", "Containers", "Last heartbeat"]}>
          {hosts.map((h) => (
            <tr key={h.id} className="hover:bg-slate-50">
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
              <td className="px-4 py-3 tabular-nums text-slate-600">
                {formatPercent(h.cpuPercent)} {h.cpuCount ? <span className="text-slate-400">of {h.cpuCount}</span> : null}
              </td>
              <td className="px-4 py-3 tabular-nums text-slate-600">
                {formatBytes(h.memUsedBytes)} <span className="text-slate-400">/ {formatBytes(h.memTotalBytes)}</span>
              </td>
              <td className="px-4 py-3 text-slate-600">
                <span className="text-emerald-700">{h.containers.running ?? 0} running</span>
                {(h.containers.exited ?? 0) + (h.containers.created ?? 0) + (h.containers.dead ?? 0) > 0 && (
                  <span className="text-slate-400"> · {(h.containers.exited ?? 0) + (h.containers.created ?? 0) + (h.containers.dead ?? 0)} stopped</span>
                )}
                {(h.containers.paused ?? 0) > 0 && <span className="text-amber-700"> · {h.containers.paused} paused</span>}
              </td>
              <td className="px-4 py-3 text-slate-500">{h.lastHeartbeatAt ? <RelativeTime date={h.lastHeartbeatAt} /> : "never"}</td>
            </tr>
          ))}
        </DataTable>
      )}
      {can(ctx.role, "host.manage") && (
        <div className="mt-8">
          <Card
            title="Add host"
            description="Berth gives you one command to paste on the machine; it needs only Docker. The command works once and is shown once."
          >
            <ActionForm action={addHostAction} resetOnSuccess>
              <input type="hidden" name="team" value={ctx.team.slug} />
              <InstallCommandResult />
              <Field label="Name" name="name" placeholder="build-server-1" required />
              <SubmitButton pendingLabel="Adding…">Add host</SubmitButton>
            </ActionForm>
          </Card>
        </div>
      )}
    </>
  );
}
