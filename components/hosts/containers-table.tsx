"use client";
// A host's page of containers, kept current by the team's live stream: a pushed row replaces the one shown (the
// newer report wins), a removed one goes; a re-render only for what may change which rows belong here
// (containersNews).
import Link from "next/link";
import { ContainerActions } from "@/components/hosts/container-actions";
import { ContainerState } from "@/components/hosts/host-status";
import { type ContainerRow, type ContainersView, containersNews, mergeNewer } from "@/components/live/patch-containers";
import { usePatched } from "@/components/live/use-patched";
import { EmptyState } from "@/components/ui/card";
import { DataTable } from "@/components/ui/data-table";
import { Pagination } from "@/components/ui/pagination";
import type { ActionState } from "@/lib/http/action-state";

type Action = (prev: ActionState | undefined, form: FormData) => Promise<ActionState>;

const portText = (p: ContainerRow["ports"][number]) => (p.publicPort ? `${p.publicPort}→${p.privatePort}/${p.type}` : `${p.privatePort}/${p.type}`);

export function ContainersTable({
  view,
  hostId,
  team,
  base,
  page,
  limit,
  params,
  canAct,
  action,
}: {
  view: ContainersView;
  hostId: string;
  team: string;
  base: string;
  page: number;
  limit: number;
  params: Record<string, string | number | undefined>;
  canAct: boolean;
  action: Action;
}) {
  const shown = usePatched(
    view,
    (current, msg) => containersNews(current, hostId, msg),
    (server, mine) => ({ ...server, rows: mergeNewer(server.rows, mine.rows) }),
  );
  const filtered = Boolean(view.q || view.state);
  return (
    <>
      {shown.rows.length === 0 ? (
        <EmptyState title={filtered ? "No containers match" : shown.total ? "No containers on this page" : "No containers on this host"} />
      ) : (
        <DataTable
          testId="containers"
          columns={["Name", "Image", "State", "Status", "Ports", "Belongs to", ...(canAct ? [{ label: "Actions", align: "right" as const }] : [])]}
        >
          {shown.rows.map((c) => {
            const project = c.labels["berth.project"];
            return (
              <tr key={c.dockerId} data-testid={`container-${c.name}`} className="align-top hover:bg-slate-50">
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
                <td className="px-4 py-3 text-slate-600" data-testid="container-status">
                  {c.status}
                </td>
                <td className="px-4 py-3 font-mono text-xs text-slate-600">{c.ports.length ? c.ports.map(portText).join(", ") : "–"}</td>
                <td className="px-4 py-3 text-xs text-slate-600">
                  {project ? (
                    `${project} / ${c.labels["berth.environment"] ?? "?"} / ${c.labels["berth.service"] ?? "?"}`
                  ) : (
                    <span className="text-slate-400">outside Berth</span>
                  )}
                </td>
                {canAct && (
                  <td className="px-4 py-3">
                    {c.act && <ContainerActions action={action} team={team} hostId={hostId} dockerId={c.dockerId} name={c.name} state={c.state} />}
                  </td>
                )}
              </tr>
            );
          })}
        </DataTable>
      )}
      <Pagination path={base} params={params} page={page} limit={limit} total={shown.total} noun={shown.total === 1 ? "container" : "containers"} />
    </>
  );
}
