import Link from "next/link";
import { ContainerActions } from "@/components/hosts/container-actions";
import { ContainerState } from "@/components/hosts/host-status";
import { EmptyState } from "@/components/ui/card";
import { DataTable, FilterBar } from "@/components/ui/data-table";
import { requireTeam } from "@/lib/auth/session";
import { containerRights } from "@/lib/data/container-protection";
import { berthLabels, listContainers } from "@/lib/data/containers";
import { CONTAINER_STATES } from "@/lib/hosts/protocol";
import { can } from "@/lib/permissions";
import { containerAction } from "../actions";

type Search = { q?: string; state?: string };

export default async function HostContainersPage({
  params,
  searchParams,
}: {
  params: Promise<{ slug: string; hostId: string }>;
  searchParams: Promise<Search>;
}) {
  const { slug, hostId } = await params;
  const search = await searchParams;
  const ctx = await requireTeam(slug);
  const state = CONTAINER_STATES.find((s) => s === search.state);
  const q = search.q?.trim().slice(0, 100) || undefined;
  const containers = await listContainers(ctx, hostId, { q, state });
  const canAct = can(ctx.role, "container.act");
  const rights = canAct ? await containerRights(ctx, containers) : []; // protected environments' containers need an admin
  const base = `/t/${ctx.team.slug}/hosts/${hostId}`;
  return (
    <>
      <FilterBar clearHref={base} active={Boolean(q || state)}>
        <label className="text-sm">
          <span className="block font-medium text-slate-700">Search</span>
          <input name="q" defaultValue={q} placeholder="name, image or id" className="mt-1 w-64 rounded-md border border-slate-300 px-3 py-1.5 text-sm" />
        </label>
        <label className="text-sm">
          <span className="block font-medium text-slate-700">State</span>
          <select name="state" defaultValue={state ?? ""} className="mt-1 rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm">
            <option value="">Any</option>
            {CONTAINER_STATES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
      </FilterBar>
      {containers.length === 0 ? (
        <EmptyState title={q || state ? "No containers match" : "No containers on this host"} />
      ) : (
        <DataTable
          testId="containers"
          columns={["Name", "Image", "State", "Status", "Ports", "Belongs to", ...(canAct ? [{ label: "Actions", align: "right" as const }] : [])]}
        >
          {containers.map((c, i) => {
            const owner = berthLabels(c.labels);
            const ports = (c.ports as { privatePort: number; publicPort: number | null; type: string }[]).map((p) =>
              p.publicPort ? `${p.publicPort}→${p.privatePort}/${p.type}` : `${p.privatePort}/${p.type}`,
            );
            return (
              <tr key={c.id} data-testid={`container-${c.name}`} className="align-top hover:bg-slate-50">
                <td className="px-4 py-3">
                  <Link href={`${base}/containers/${c.dockerId}`} className="font-medium text-brand-700 hover:underline">
                    {c.name}
                  </Link>
                  <div className="font-mono text-xs text-slate-400">{c.dockerId.slice(0, 12)}</div>
                </td>
                <td className="max-w-56 truncate px-4 py-3 text-slate-600" title={c.image}>
                  {c.image}
                </td>
                <td className="px-4 py-3">
                  <ContainerState state={c.state} health={c.health} />
                </td>
                <td className="px-4 py-3 text-slate-600">{c.status}</td>
                <td className="px-4 py-3 font-mono text-xs text-slate-600">{ports.length ? ports.join(", ") : "–"}</td>
                <td className="px-4 py-3 text-xs text-slate-600">
                  {owner.project ? (
                    `${owner.project} / ${owner.environment ?? "?"} / ${owner.service ?? "?"}`
                  ) : (
                    <span className="text-slate-400">outside Berth</span>
                  )}
                </td>
                {canAct && (
                  <td className="px-4 py-3">
                    {rights[i]?.act && (
                      <ContainerActions action={containerAction} team={ctx.team.slug} hostId={hostId} dockerId={c.dockerId} name={c.name} state={c.state} />
                    )}
                  </td>
                )}
              </tr>
            );
          })}
        </DataTable>
      )}
    </>
  );
}
