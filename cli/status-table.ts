// `berth status` as text: the team's hosts, then each service as project/env/service with its host, its
// live release and its latest deployment. Pure, so it is tested without a server.
import { cleanLine } from "./text";

type Live = { number: number; status: string; commitSha: string | null; image: string | null; finishedAt: string | null };
type Latest = { id: string; number: number; status: string; createdAt: string };
export type TeamStatus = {
  team: { slug: string; name: string };
  hosts: { id: string; name: string; status: string; lastSeenAt: string | null }[];
  projects: {
    slug: string;
    name: string;
    environments: {
      slug: string;
      name: string;
      protected: boolean;
      services: { id: string; name: string; kind: string; host: string | null; live: Live | null; latest: Latest | null }[];
    }[];
  }[];
};

/** Columns padded to their widest cell; the last column is not padded. */
export function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => [...(r[i] ?? "")].length)));
  return rows.map((r) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]! + c.length - [...c].length)))
      .join("  ")
      .trimEnd(),
  );
}

export function ago(iso: string | null, now: Date): string {
  if (!iso) return "never";
  const s = Math.max(0, Math.round((now.getTime() - new Date(iso).getTime()) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86_400)}d ago`;
}

function liveCell(l: Live | null): string {
  if (!l) return "-";
  const what = l.commitSha ? l.commitSha.slice(0, 7) : (l.image ?? "");
  return `#${l.number}${what ? ` ${what}` : ""}`;
}

export function formatStatus(s: TeamStatus, now: Date): string {
  const c = (t: string) => cleanLine(t, false);
  const out = [`Team ${c(s.team.name)} (${s.team.slug})`, ""];
  if (s.hosts.length) out.push(...table([["HOST", "STATUS", "LAST SEEN"], ...s.hosts.map((h) => [c(h.name), h.status, ago(h.lastSeenAt, now)])]));
  else out.push("No hosts.");
  out.push("");
  const rows = s.projects.flatMap((p) =>
    p.environments.flatMap((e) =>
      e.services.map((v) => [
        `${p.slug}/${e.slug}/${c(v.name)}${e.protected ? " (protected)" : ""}`,
        v.kind,
        v.host ? c(v.host) : "-",
        liveCell(v.live),
        v.latest ? `#${v.latest.number} ${v.latest.status}` : "-",
      ]),
    ),
  );
  if (rows.length) out.push(...table([["SERVICE", "KIND", "HOST", "LIVE", "LATEST"], ...rows]));
  else out.push(s.projects.length ? "No services." : "No projects.");
  return out.join("\n");
}
