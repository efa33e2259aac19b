import { Forbidden } from "@/components/forbidden";
import { DeliveriesTable } from "@/components/notifications/deliveries-table";
import { EmptyState } from "@/components/ui/card";
import { FilterBar } from "@/components/ui/data-table";
import { Pagination } from "@/components/ui/pagination";
import { requireTeam } from "@/lib/auth/session";
import { listChannels } from "@/lib/data/notifications/channels";
import { listDeliveries } from "@/lib/data/notifications/deliveries";
import { can } from "@/lib/permissions";
import { fromSearchParams } from "@/lib/validation/list-query";
import { DELIVERY_STATUSES, deliveryListQuery } from "@/lib/validation/notifications";
import { resendDeliveryAction } from "../actions";

export const metadata = { title: "Notification deliveries" };

const selectClass = "mt-1 block rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm";

export default async function DeliveriesPage({
  params,
  searchParams,
}: {
  params: Promise<{ slug: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const ctx = await requireTeam((await params).slug);
  if (!can(ctx.role, "notification.read")) return <Forbidden what="Developers, admins and owners see the team's notification deliveries." />;
  const channels = await listChannels(ctx);
  const query = fromSearchParams(deliveryListQuery, await searchParams);
  // A channel id that is not (or no longer) one of the team's shows every channel's deliveries.
  if (query.channelId && !channels.some((c) => c.id === query.channelId)) query.channelId = undefined;
  const { items, total, page, limit } = await listDeliveries(ctx, query);
  const path = `/t/${ctx.team.slug}/settings/notifications/deliveries`;
  const filtering = Boolean(query.channelId || query.status);

  return (
    <section>
      <h2 className="text-lg font-semibold text-slate-900">Deliveries</h2>
      <p className="mb-3 text-sm text-slate-500">
        Every message to the team's channels, newest first. A failed attempt is retried with backoff for about a day; Resend sends a delivered or failed one
        again.
      </p>
      <FilterBar clearHref={path} active={filtering}>
        <label className="text-sm font-medium text-slate-700">
          Channel
          <select name="channelId" defaultValue={query.channelId ?? ""} className={selectClass}>
            <option value="">All channels</option>
            {channels.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <label className="text-sm font-medium text-slate-700">
          Status
          <select name="status" defaultValue={query.status ?? ""} className={selectClass}>
            <option value="">Any status</option>
            {DELIVERY_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s.charAt(0) + s.slice(1).toLowerCase()}
              </option>
            ))}
          </select>
        </label>
      </FilterBar>
      {total === 0 ? (
        <EmptyState title={filtering ? "No deliveries match" : "No deliveries yet"}>
          {filtering
            ? "Clear the filter to see every delivery."
            : channels.length === 0
              ? "Add a channel and a rule under Channels; messages it sends are listed here."
              : "Messages appear here when an event matches a channel's rule. Use Send test on a channel to try one now."}
        </EmptyState>
      ) : (
        <>
          <DeliveriesTable deliveries={items} team={ctx.team.slug} resend={can(ctx.role, "notification.manage") ? resendDeliveryAction : null} />
          <Pagination path={path} params={{ channelId: query.channelId, status: query.status }} page={page} limit={limit} total={total} noun="deliveries" />
        </>
      )}
    </section>
  );
}
