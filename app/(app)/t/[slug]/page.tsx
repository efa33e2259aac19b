import Link from "next/link";
import { PageHeader } from "@/components/shell/page-header";
import { Card, EmptyState } from "@/components/ui/card";
import { requireTeam } from "@/lib/auth/session";
import { teamOverview } from "@/lib/data/teams";
import { can } from "@/lib/permissions";

export default async function TeamOverviewPage({ params }: { params: Promise<{ slug: string }> }) {
  const ctx = await requireTeam((await params).slug);
  const overview = await teamOverview(ctx);
  const manage = can(ctx.role, "member.manage");
  const base = `/t/${ctx.team.slug}`;
  return (
    <>
      <PageHeader title={ctx.team.name} description="Hosts, environments and deployments of this team." />
      <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
        <Stat label="Projects" value={overview.projects} href={`${base}/projects`} />
        <Stat label="Members" value={overview.members} href={manage ? `${base}/settings/members` : undefined} />
        <Stat label="Pending invites" value={overview.pendingInvites} href={manage ? `${base}/settings/members` : undefined} />
        <Stat label={`Hosts (${overview.hostsOnline} online)`} value={overview.hosts} href={`${base}/hosts`} />
      </div>
      <div className="mt-8">
        {overview.hosts === 0 ? (
          <Card title="Hosts">
            <EmptyState title="No hosts connected yet">
              {manage ? (
                <Link href={`${base}/hosts`} className="text-brand-600 hover:underline">
                  Add a host
                </Link>
              ) : (
                "An admin can add one."
              )}
            </EmptyState>
          </Card>
        ) : (
          <Card title="Containers">
            <p className="text-sm text-slate-600">
              <span className="text-2xl font-semibold tabular-nums text-slate-900">{overview.running}</span> running across {overview.hosts} host
              {overview.hosts === 1 ? "" : "s"}.{" "}
              <Link href={`${base}/hosts`} className="text-brand-600 hover:underline">
                See hosts
              </Link>
            </p>
          </Card>
        )}
      </div>
    </>
  );
}

function Stat({ label, value, href }: { label: string; value: number; href?: string }) {
  const body = (
    <div className="rounded-lg border border-slate-200 bg-white px-5 py-4 shadow-sm">
      <p className="text-sm text-slate-500">{label}</p>
      <p className="mt-1 text-2xl font-semibold tabular-nums">{value}</p>
    </div>
  );
  return href ? (
    <Link href={href} className="block rounded-lg hover:ring-2 hover:ring-brand-100">
      {body}
    </Link>
  ) : (
    body
  );
}
