import Link from "next/link";
import { toHostRow } from "@/components/hosts/host-rows";
import { HostsTable } from "@/components/hosts/hosts-table";
import { ChoiceField, SearchField } from "@/components/hosts/list-filters";
import { InstallCommandResult } from "@/components/hosts/install-command";
import { LiveProvider, LiveStatus } from "@/components/live/live-provider";
import { PageHeader } from "@/components/shell/page-header";
import { ActionForm } from "@/components/ui/action-form";
import { Alert } from "@/components/ui/alert";
import { SubmitButton } from "@/components/ui/button";
import { Card, EmptyState } from "@/components/ui/card";
import { FilterBar } from "@/components/ui/data-table";
import { Field } from "@/components/ui/field";
import { Pagination } from "@/components/ui/pagination";
import { requireTeam } from "@/lib/auth/session";
import { listHosts } from "@/lib/data/hosts";
import { localHostWaitsFor } from "@/lib/data/local-host";
import { currentAgentImage } from "@/lib/hosts/agent-image";
import { can } from "@/lib/permissions";
import { fromSearchParams, HOST_STATUSES, HOSTS_PER_PAGE, hostListQuery } from "@/lib/validation/list-query";
import { addHostAction } from "./actions";

export const metadata = { title: "Hosts" };

const STATUS_LABEL = { ONLINE: "Online", OFFLINE: "Offline", PENDING: "Waiting for agent" } as const;

export default async function HostsPage({
  params,
  searchParams,
}: {
  params: Promise<{ slug: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const ctx = await requireTeam((await params).slug);
  const query = fromSearchParams(hostListQuery, await searchParams);
  const [list, localWaits] = await Promise.all([listHosts(ctx, query), localHostWaitsFor(ctx.actor)]);
  const base = `/t/${ctx.team.slug}/hosts`;
  const filtered = Boolean(query.q || query.status);
  const kept = { q: query.q, status: query.status, limit: query.limit === HOSTS_PER_PAGE ? undefined : query.limit };
  return (
    <LiveProvider slug={ctx.team.slug} hosts={list.items.map((h) => h.id)}>
      <PageHeader title="Hosts" description="Docker hosts whose agents report to this team." actions={<LiveStatus />} />
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
      {list.total === 0 && !filtered ? (
        <EmptyState title="No hosts yet">
          {can(ctx.role, "host.manage") ? "Add a host below and paste its install command on the machine." : "An admin can add one."}
        </EmptyState>
      ) : (
        <>
          <FilterBar clearHref={base} active={filtered}>
            <SearchField value={query.q} placeholder="host name" />
            <ChoiceField name="status" label="Status" value={query.status} choices={HOST_STATUSES.map((s) => [s, STATUS_LABEL[s]] as const)} />
          </FilterBar>
          {list.items.length === 0 ? (
            <EmptyState title={filtered ? "No hosts match" : "No hosts on this page"}>
              <Link href={base} className="text-brand-600 hover:underline">
                Show all hosts
              </Link>
            </EmptyState>
          ) : (
            <HostsTable
              hosts={list.items.map((h) => toHostRow(h, h.containers))}
              status={query.status}
              base={base}
              berthVersion={currentAgentImage()?.version ?? null}
            />
          )}
          <Pagination path={base} params={kept} page={list.page} limit={list.limit} total={list.total} noun={list.total === 1 ? "host" : "hosts"} />
        </>
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
    </LiveProvider>
  );
}
