// How a page of one host's containers takes a live message: rows in view are replaced by newer ones and removed
// ones go; what may change which rows belong on the page (a new container, one entering or leaving the state
// filtered on, a resync) asks for a re-render. Pure, so the rules are unit-tested.
import type { ContainerPatch, LiveMessage } from "@/lib/live/channels";
import type { News } from "./patch-hosts";

/** A container as the list shows it, and whether the viewer may act on it (decided by the server). */
export type ContainerRow = ContainerPatch & { act: boolean };

export type ContainersView = {
  rows: ContainerRow[];
  /** How many match the filter on every page. */
  total: number;
  q?: string;
  state?: string;
  firstPage: boolean;
  lastPage: boolean;
};

function matches(c: ContainerPatch, q: string | undefined, state: string | undefined): boolean {
  if (state && c.state !== state) return false;
  if (!q) return true;
  const lower = q.toLowerCase();
  return c.name.toLowerCase().includes(lower) || c.image.toLowerCase().includes(lower) || c.dockerId.startsWith(lower);
}

/** Whether a container of this name sorts onto this page (rows are by name; the database's collation is C). */
function inRange(view: ContainersView, name: string): boolean {
  const first = view.rows[0]?.name;
  const last = view.rows.at(-1)?.name;
  if (first === undefined || last === undefined) return true;
  return (view.firstPage || name >= first) && (view.lastPage || name <= last);
}

export function containersNews(view: ContainersView, hostId: string, msg: LiveMessage): News<ContainersView> {
  if (msg.kind === "host" && msg.hostId === hostId && msg.host?.containers && !view.q) {
    // The host's counts per state: if they say another total than shown, containers came or went elsewhere.
    const counts = msg.host.containers;
    const total = view.state ? (counts[view.state] ?? 0) : Object.values(counts).reduce((a, b) => a + b, 0);
    return { rows: view, refresh: total !== view.total };
  }
  if (msg.kind !== "containers" || msg.hostId !== hostId) return { rows: view, refresh: false };
  if (msg.resync || (!msg.upserted && !msg.removed)) return { rows: view, refresh: true };
  let refresh = false;
  let rows = view.rows;
  const gone = new Set(msg.removed ?? []);
  if (gone.size) rows = rows.filter((r) => !gone.has(r.dockerId));
  const total = view.total - (view.rows.length - rows.length);
  for (const c of msg.upserted ?? []) {
    const i = rows.findIndex((r) => r.dockerId === c.dockerId);
    if (i < 0) {
      if (matches(c, view.q, view.state) && inRange({ ...view, rows }, c.name)) refresh = true; // perhaps new, here
      continue;
    }
    const old = rows[i]!;
    if (Date.parse(c.reportedAt) < Date.parse(old.reportedAt)) continue; // an older report than shown
    if (!matches(c, view.q, view.state) || c.name !== old.name) refresh = true; // leaves the filter, or moves
    if (rows === view.rows) rows = [...rows];
    rows[i] = { ...c, act: old.act };
  }
  return { rows: { ...view, rows, total }, refresh };
}

/** The server's rows after a re-render, each kept as shown where the page holds a newer report of it. */
export function mergeNewer(server: ContainerRow[], shown: ContainerRow[]): ContainerRow[] {
  const byId = new Map(shown.map((r) => [r.dockerId, r]));
  return server.map((s) => {
    const mine = byId.get(s.dockerId);
    return mine && Date.parse(mine.reportedAt) > Date.parse(s.reportedAt) ? { ...mine, act: s.act } : s;
  });
}
