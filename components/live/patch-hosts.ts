// How a page showing hosts takes a live message: patch the rows in view, or say it must re-render on the server
// (a change it cannot see the whole of). Pure, so the rules are unit-tested.
import type { HostPatch, LiveMessage } from "@/lib/live/channels";

/** A host as a page shows it, in the patch's terms (times ISO, bytes as numbers). */
export type HostRow = Required<Omit<HostPatch, "containers">> & { name: string; isLocal: boolean; containers: Record<string, number> };

/** The host with what `patch` names changed (absent fields unchanged). */
export function applyHostPatch<T extends HostRow>(row: T, patch: HostPatch): T {
  const next = { ...row };
  for (const [k, v] of Object.entries(patch)) if (v !== undefined && k !== "id") (next as Record<string, unknown>)[k] = v;
  return next;
}

export type News<T> = { rows: T; refresh: boolean };

/**
 * A page of hosts (filtered by `status` or not): usage and status patch the rows in view; a host's status moving
 * into or out of the filter, or a host message without a patch (added, removed, renamed), needs a re-render.
 */
export function hostsNews(rows: HostRow[], status: string | undefined, msg: LiveMessage): News<HostRow[]> {
  const patches = msg.kind === "hosts" ? msg.hosts : msg.kind === "host" && msg.host ? [msg.host] : [];
  if (msg.kind === "host" && !msg.host) return { rows, refresh: true };
  let refresh = false;
  let next = rows;
  for (const p of patches) {
    const i = next.findIndex((r) => r.id === p.id);
    if (i < 0) {
      // Off this page: it belongs here only if it just entered the status shown.
      if (status && p.status === status) refresh = true;
      continue;
    }
    if (status && p.status && p.status !== status) refresh = true;
    if (next === rows) next = [...rows];
    next[i] = applyHostPatch(next[i]!, p);
  }
  return { rows: next, refresh };
}

/** What the host page shows outside its patched header (the agent panel, its alerts) depends on these. */
const RENDERED_ELSEWHERE = ["status", "agentVersion", "protocolProblem"] as const;

/** One host's page: its patches apply; a change of status, agent or protocol, or news without a patch, re-renders. */
export function hostNews<T extends HostRow>(host: T, msg: LiveMessage): News<T> {
  if (msg.kind === "host" && msg.hostId === host.id && !msg.host) return { rows: host, refresh: true };
  const patch = msg.kind === "hosts" ? msg.hosts.find((p) => p.id === host.id) : msg.kind === "host" && msg.host?.id === host.id ? msg.host : undefined;
  if (!patch) return { rows: host, refresh: false };
  const refresh = RENDERED_ELSEWHERE.some((k) => patch[k] !== undefined && patch[k] !== host[k]);
  return { rows: applyHostPatch(host, patch), refresh };
}
