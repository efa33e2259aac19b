import Link from "next/link";
import { AgentPanel } from "@/components/hosts/agent-panel";
import { HostHeader } from "@/components/hosts/host-header";
import { toHostRow } from "@/components/hosts/host-rows";
import { LiveProvider } from "@/components/live/live-provider";
import { NavLinks } from "@/components/team/team-nav";
import { requireTeam } from "@/lib/auth/session";
import { getHost } from "@/lib/data/hosts";
import { NotFoundError } from "@/lib/errors";
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
    <LiveProvider slug={ctx.team.slug} hosts={[host.id]}>
      <div className="mb-6">
        <Link href={`/t/${ctx.team.slug}/hosts`} className="text-sm text-slate-500 hover:text-slate-800">
          ← Hosts
        </Link>
        <HostHeader host={{ ...toHostRow(host), apiVersion: host.apiVersion, os: host.os }} />
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
    </LiveProvider>
  );
}
