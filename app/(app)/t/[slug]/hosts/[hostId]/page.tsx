import { ContainersTable } from "@/components/hosts/containers-table";
import { toContainerRow } from "@/components/hosts/host-rows";
import { ChoiceField, SearchField } from "@/components/hosts/list-filters";
import { FilterBar } from "@/components/ui/data-table";
import { requireTeam } from "@/lib/auth/session";
import { containerRights } from "@/lib/data/container-protection";
import { listContainers } from "@/lib/data/containers";
import { CONTAINER_STATES } from "@/lib/hosts/protocol";
import { can } from "@/lib/permissions";
import { CONTAINERS_PER_PAGE, containerListQuery, fromSearchParams } from "@/lib/validation/list-query";
import { containerAction } from "../actions";

export default async function HostContainersPage({
  params,
  searchParams,
}: {
  params: Promise<{ slug: string; hostId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { slug, hostId } = await params;
  const ctx = await requireTeam(slug);
  const query = fromSearchParams(containerListQuery, await searchParams);
  const list = await listContainers(ctx, hostId, query);
  const canAct = can(ctx.role, "container.act");
  // Protected environments' containers need an admin: decided for the page's rows only, in at most two queries.
  const rights = canAct ? await containerRights(ctx, list.items) : [];
  const base = `/t/${ctx.team.slug}/hosts/${hostId}`;
  const pages = Math.max(1, Math.ceil(list.total / list.limit));
  return (
    <>
      <FilterBar clearHref={base} active={Boolean(query.q || query.state)}>
        <SearchField value={query.q} placeholder="name, image or id" />
        <ChoiceField name="state" label="State" value={query.state} choices={CONTAINER_STATES.map((s) => [s, s] as const)} />
      </FilterBar>
      <ContainersTable
        view={{
          rows: list.items.map((c, i) => toContainerRow(c, rights[i]?.act ?? false)),
          total: list.total,
          q: query.q,
          state: query.state,
          firstPage: list.page === 1,
          lastPage: list.page >= pages,
        }}
        hostId={hostId}
        team={ctx.team.slug}
        base={base}
        page={list.page}
        limit={list.limit}
        params={{ q: query.q, state: query.state, limit: query.limit === CONTAINERS_PER_PAGE ? undefined : query.limit }}
        canAct={canAct}
        action={containerAction}
      />
    </>
  );
}
