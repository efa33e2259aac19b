import { notFound } from "next/navigation";
import { ContainerActions } from "@/components/hosts/container-actions";
import { EnvReveal } from "@/components/hosts/env-reveal";
import { ContainerState } from "@/components/hosts/host-status";
import { LogViewer } from "@/components/hosts/log-viewer";
import { RefreshOn } from "@/components/live/live-refresh";
import { StatsCharts } from "@/components/hosts/stats-charts";
import { TerminalPanel } from "@/components/hosts/terminal";
import { RelativeTime } from "@/components/time";
import { Alert } from "@/components/ui/alert";
import { Card } from "@/components/ui/card";
import { requireTeam } from "@/lib/auth/session";
import { containerRights } from "@/lib/data/container-protection";
import { berthLabels, getContainer } from "@/lib/data/containers";
import { containerDetails } from "@/lib/data/host-calls";
import { AppError, NotFoundError } from "@/lib/errors";
import { can } from "@/lib/permissions";
import { containerAction, revealEnvAction } from "../../../actions";

export default async function ContainerPage({ params }: { params: Promise<{ slug: string; hostId: string; dockerId: string }> }) {
  const { slug, hostId, dockerId } = await params;
  const ctx = await requireTeam(slug);
  // The agent's answer is the slow part: asked at once, while the row is read and its rights decided.
  const asked = containerDetails(ctx, hostId, dockerId).catch((e) => (e instanceof AppError ? { error: e.message } : Promise.reject(e)));
  asked.catch(() => {}); // awaited below; not unhandled if the page ends first (not found)
  const c = await getContainer(ctx, hostId, dockerId).catch((e) => (e instanceof NotFoundError ? notFound() : Promise.reject(e)));
  const api = `/api/v1/teams/${ctx.team.slug}/hosts/${c.host.id}/containers/${c.dockerId}`;
  const owner = berthLabels(c.labels);
  const labels = Object.entries(c.labels as Record<string, string>);
  const ports = c.ports as { privatePort: number; publicPort: number | null; type: string; ip: string | null }[];
  const running = c.state === "running";
  const rights = (await containerRights(ctx, [c]))[0]!; // a protected environment's containers need an admin
  const details = await asked;

  return (
    <div className="space-y-6">
      <RefreshOn hostId={c.host.id} dockerId={c.dockerId} />
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div>
          <h2 className="text-xl font-semibold">{c.name}</h2>
          <p className="font-mono text-xs text-slate-400">{c.dockerId}</p>
        </div>
        <div className="flex items-center gap-3">
          <ContainerState state={c.state} health={c.health} />
          {rights.act && <ContainerActions action={containerAction} team={ctx.team.slug} hostId={hostId} dockerId={c.dockerId} name={c.name} state={c.state} />}
        </div>
      </div>

      <Card title="Summary">
        <dl className="grid gap-x-8 gap-y-3 text-sm sm:grid-cols-2">
          <Item label="Image">{c.image}</Item>
          <Item label="Status">{c.status}</Item>
          <Item label="Command">
            <code className="text-xs">{"error" in details ? c.command : [...details.entrypoint, ...details.command].join(" ") || c.command}</code>
          </Item>
          <Item label="Created">
            <RelativeTime date={c.createdAt} />
          </Item>
          <Item label="Restart policy">{c.restartPolicy}</Item>
          <Item label="Belongs to">{owner.project ? `${owner.project} / ${owner.environment} / ${owner.service}` : "started outside Berth"}</Item>
          <Item label="Ports">
            {ports.length
              ? ports.map((p) => (p.publicPort ? `${p.ip ?? "0.0.0.0"}:${p.publicPort} → ${p.privatePort}/${p.type}` : `${p.privatePort}/${p.type}`)).join(", ")
              : "none"}
          </Item>
          {!("error" in details) && (
            <>
              <Item label="Networks">{details.networks.map((n) => `${n.name}${n.ip ? ` (${n.ip})` : ""}`).join(", ") || "none"}</Item>
              <Item label="Mounts">
                {details.mounts.length ? details.mounts.map((m) => `${m.source} → ${m.destination}${m.readOnly ? " (ro)" : ""}`).join(", ") : "none"}
              </Item>
            </>
          )}
          <Item label="Labels">{labels.length ? <span className="font-mono text-xs">{labels.map(([k, v]) => `${k}=${v}`).join("  ")}</span> : "none"}</Item>
        </dl>
        {"error" in details && (
          <div className="mt-4">
            <Alert tone="warning">Live details unavailable: {details.error} Showing the last reported state.</Alert>
          </div>
        )}
      </Card>

      {!("error" in details) && (
        <Card
          title="Environment"
          description={
            rights.env
              ? "Values are hidden until revealed."
              : can(ctx.role, "container.env")
                ? "This container belongs to a protected environment: admins and owners reveal its values."
                : "Values are visible to developers and above."
          }
        >
          <EnvReveal names={details.envNames} action={revealEnvAction} hidden={{ team: ctx.team.slug, hostId, dockerId: c.dockerId }} canReveal={rights.env} />
        </Card>
      )}

      <Card title="Logs">
        <LogViewer endpoint={`${api}/logs`} name={c.name} />
      </Card>

      {can(ctx.role, "container.exec") && running && (
        <Card title="Terminal" description="An interactive shell in the container. Opening one is recorded in the audit log.">
          <TerminalPanel slug={ctx.team.slug} hostId={hostId} dockerId={c.dockerId} />
        </Card>
      )}

      <Card title="Stats" description={running ? "Sampled about every 2 seconds." : "The container is not running."}>
        {running ? <StatsCharts endpoint={`${api}/stats`} /> : <p className="text-sm text-slate-500">Start the container to see live stats.</p>}
      </Card>
    </div>
  );
}

function Item({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">{label}</dt>
      <dd className="mt-0.5 break-words text-slate-800">{children}</dd>
    </div>
  );
}
