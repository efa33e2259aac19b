import Link from "next/link";
import { Forbidden } from "@/components/forbidden";
import { describeAudit } from "@/components/team/audit-describe";
import { RelativeTime } from "@/components/time";
import { buttonClass } from "@/components/ui/button-class";
import { Badge, Card, EmptyState } from "@/components/ui/card";
import { FilterBar } from "@/components/ui/data-table";
import { requireTeam } from "@/lib/auth/session";
import { listAudit, listAuditActions } from "@/lib/data/audit";
import { can } from "@/lib/permissions";
import { auditFilterInput } from "@/lib/validation/schemas";

export const metadata = { title: "Audit log" };

type Search = { actor?: string; action?: string; before?: string };

export default async function AuditPage({ params, searchParams }: { params: Promise<{ slug: string }>; searchParams: Promise<Search> }) {
  const ctx = await requireTeam((await params).slug);
  if (!can(ctx.role, "audit.read")) return <Forbidden what="Only admins and owners read the audit log." />;
  const search = await searchParams;
  const parsed = auditFilterInput.safeParse({ actor: search.actor || undefined, action: search.action || undefined, before: search.before || undefined });
  const filter = parsed.success ? parsed.data : { limit: 50 };
  const [{ events, hasMore }, actions] = await Promise.all([listAudit(ctx, filter), listAuditActions(ctx)]);
  const base = `/t/${ctx.team.slug}/settings/audit`;
  const filtered = Boolean(search.actor || search.action);
  const older = events.at(-1);
  const olderHref = older
    ? `${base}?${new URLSearchParams({ ...(search.actor ? { actor: search.actor } : {}), ...(search.action ? { action: search.action } : {}), before: older.createdAt.toISOString() })}`
    : "";

  return (
    <Card title="Audit log" description="Every change made in this team, newest first.">
      <FilterBar clearHref={base} active={filtered}>
        <label className="text-sm">
          <span className="block font-medium text-slate-700">Actor</span>
          <input
            name="actor"
            defaultValue={search.actor}
            placeholder="email contains…"
            className="mt-1 rounded-md border border-slate-300 px-3 py-1.5 text-sm"
          />
        </label>
        <label className="text-sm">
          <span className="block font-medium text-slate-700">Action</span>
          <select name="action" defaultValue={search.action ?? ""} className="mt-1 rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm">
            <option value="">All actions</option>
            {actions.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </label>
      </FilterBar>
      {!parsed.success && <p className="mb-3 text-sm text-red-600">Some filters were not valid and were ignored.</p>}
      {events.length === 0 ? (
        <EmptyState title={filtered ? "No events match these filters" : "Nothing recorded yet"} />
      ) : (
        <ol className="divide-y divide-slate-100" data-testid="audit-events">
          {events.map((e) => (
            <li key={e.id} className="flex flex-wrap items-baseline justify-between gap-2 py-2.5 text-sm">
              <span>
                <span className="font-medium">{e.actorEmail}</span>
                {e.tokenName && (
                  <span className="ml-1.5 rounded bg-violet-50 px-1.5 py-0.5 text-xs text-violet-700" title="Done with an API token">
                    via token <span className="font-mono">{e.tokenName}</span>
                  </span>
                )}{" "}
                {describeAudit(e)}
              </span>
              <span className="flex items-center gap-2 text-xs text-slate-500">
                <Badge>{e.action}</Badge>
                <RelativeTime date={e.createdAt} />
              </span>
            </li>
          ))}
        </ol>
      )}
      {hasMore && (
        <div className="mt-4">
          <Link href={olderHref} className={buttonClass("secondary")}>
            Older events
          </Link>
        </div>
      )}
    </Card>
  );
}
