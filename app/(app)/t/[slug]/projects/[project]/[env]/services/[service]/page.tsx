import Link from "next/link";
import { notFound } from "next/navigation";
import { DeploymentStatusBadge, formatMs } from "@/components/deploy/status-badge";
import { GitConnectionCard } from "@/components/deploy/git-connection-card";
import { GitServiceFields } from "@/components/deploy/git-service-fields";
import { ServingState } from "@/components/deploy/serving-state";
import { PreviewSettingsCard } from "@/components/previews/preview-settings-card";
import { ServiceFields } from "@/components/config/service-form";
import { LiveRefresh } from "@/components/live/live-refresh";
import { PageHeader } from "@/components/shell/page-header";
import { RelativeTime } from "@/components/time";
import { ActionForm } from "@/components/ui/action-form";
import { SubmitButton } from "@/components/ui/button";
import { Badge, Card } from "@/components/ui/card";
import { CopyResult } from "@/components/ui/copy-result";
import { DataTable } from "@/components/ui/data-table";
import { Select } from "@/components/ui/field";
import { requireTeam } from "@/lib/auth/session";
import { listDeployments } from "@/lib/data/deployments";
import { serviceView } from "@/lib/data/service-view";
import { getHost, hostChoices } from "@/lib/data/hosts";
import { previewSettings } from "@/lib/data/preview-settings";
import { NotFoundError } from "@/lib/errors";
import { can, canChangeEnvironment } from "@/lib/permissions";
import {
  acceptGitHostKeyAction,
  deployGitAction,
  promoteAction,
  regenerateDeployKeyAction,
  revealWebhookSecretAction,
  rollbackAction,
  rotateWebhookSecretAction,
  testGitConnectionAction,
  updateGitServiceAction,
} from "../../../../deploy-actions";
import { updatePreviewSettingsAction } from "../../../../preview-actions";
import { deployImageAction, updateServiceAction } from "../../../../service-actions";

const TRIGGER = { manual: "Deploy button", webhook: "push", rollback: "rollback", promote: "promotion" } as Record<string, string>;

/** What a deployment deployed, per kind: its commit, or the image reference and the exact image it pulled. */
function Source({
  kind,
  d,
}: {
  kind: "git" | "image";
  d: { status: string; commitSha: string | null; commitMessage: string | null; commitAuthor: string | null; image: string | null; imageId: string | null };
}) {
  if (kind === "image") {
    return d.image ? (
      <span className="block truncate" title={`${d.image}\n${d.imageId ?? ""}`}>
        <span className="font-mono text-xs">{d.image}</span> {d.imageId && <span className="font-mono text-xs text-slate-400">{d.imageId.slice(7, 19)}</span>}
      </span>
    ) : (
      <span className="text-slate-400">—</span>
    );
  }
  return d.commitSha ? (
    <span className="block truncate" title={`${d.commitSha}\n${d.commitMessage ?? ""}\n${d.commitAuthor ?? ""}`}>
      <span className="font-mono text-xs">{d.commitSha.slice(0, 7)}</span> {d.commitMessage}
    </span>
  ) : (
    <span className="text-slate-400">{d.status === "QUEUED" ? "not cloned yet" : "—"}</span>
  );
}

export default async function ServicePage({ params }: { params: Promise<{ slug: string; project: string; env: string; service: string }> }) {
  const { slug, project: projectSlug, env: envSlug, service: name } = await params;
  const ctx = await requireTeam(slug);
  const s = await serviceView(ctx, projectSlug, envSlug, decodeURIComponent(name)).catch((e) => (e instanceof NotFoundError ? notFound() : Promise.reject(e)));
  const git = s.kind === "git";
  const canWrite = canChangeEnvironment(ctx.role, s.env);
  const [deployments, hosts, previews] = await Promise.all([
    listDeployments(ctx, s.id),
    canWrite ? hostChoices(ctx, [s.hostId]) : null, // only the settings form chooses a host
    git ? previewSettings(ctx, s.id) : null,
  ]);
  const hidden = { team: ctx.team.slug, project: s.project.slug, env: s.env.slug, service: s.name, serviceId: s.id };
  const inputs = Object.entries(hidden).map(([k, v]) => <input key={k} type="hidden" name={k} value={v} />);
  const releases = deployments.filter((d) => d.status === "LIVE" && d.imageId && !d.imagePrunedAt);
  const otherEnvs = s.project.environments.filter((e) => e.id !== s.env.id);
  const live = deployments.find((d) => d.id === s.liveDeploymentId);
  // Moved to another host: the old one serves the live release until a release on the new one is live.
  const servedFrom =
    live?.hostId && live.hostId !== s.hostId
      ? await getHost(ctx, live.hostId).then(
          (h) => h.name,
          () => "its previous host",
        )
      : null;

  return (
    <>
      <LiveRefresh slug={ctx.team.slug} serviceId={s.id} />
      <div>
        <Link href={`/t/${ctx.team.slug}/projects/${s.project.slug}/${s.env.slug}`} className="text-sm text-slate-500 hover:text-slate-800">
          ← {s.project.name} / {s.env.name}
        </Link>
      </div>
      <PageHeader
        title={s.name}
        description={
          <>
            {s.kind === "git" ? (
              <>
                <span className="font-mono">{s.gitUrl}</span> @ <span className="font-mono">{s.gitBranch}</span>
              </>
            ) : (
              <span className="font-mono">{s.image}</span>
            )}{" "}
            · on {s.host ? `${s.host.name}${s.host.status !== "ONLINE" ? " (offline)" : ""}` : "no host chosen"}
            {servedFrom && (
              <span data-testid="moved">
                {" "}
                (moved: {servedFrom} serves #{live!.number} until a release on {s.host?.name ?? "the new host"} is live; deploy, roll back or promote to move
                it)
              </span>
            )}
          </>
        }
        actions={
          canWrite ? (
            <ActionForm action={s.kind === "git" ? deployGitAction : deployImageAction} className="flex flex-col items-end gap-1">
              {inputs}
              <SubmitButton pendingLabel="Queuing…">Deploy {s.kind === "git" ? s.gitBranch : s.image}</SubmitButton>
            </ActionForm>
          ) : undefined
        }
      />

      <div className="mb-6 grid gap-4 md:grid-cols-2">
        <Card
          title="Live"
          description={
            live ? (
              <>
                #{live.number} ·{" "}
                {git
                  ? `${live.commitSha?.slice(0, 7) ?? "no commit"} ${live.commitMessage ?? ""}`
                  : `${live.image ?? "?"} (${live.imageId?.slice(7, 19) ?? "?"})`}{" "}
                · <RelativeTime date={live.finishedAt!} />
              </>
            ) : (
              "Nothing deployed yet."
            )
          }
        >
          <ServingState live={!!live} problem={s.servingProblem} checkedAt={s.servingCheckedAt} hostOnline={s.host?.status === "ONLINE"} />
          {s.urls.length === 0 && <p className="text-sm text-slate-500">Not behind the proxy: set an HTTP port in its settings to give it a URL.</p>}
          <ul className="space-y-1 text-sm" data-testid="service-urls">
            {s.urls.map((u) => (
              <li key={u}>
                <a href={u} target="_blank" rel="noreferrer" className="font-mono text-brand-600 hover:underline">
                  {u}
                </a>
              </li>
            ))}
          </ul>
        </Card>
        {s.kind === "image" && (
          <Card
            title="How it deploys"
            description={`Pulls ${s.image} (a tag other than latest once per host; latest on every deployment), then starts it with this environment's configuration.`}
          >
            <p className="text-sm text-slate-700" data-testid="strategy">
              {s.strategy.strategy === "switch"
                ? `The new container starts beside the running one and takes over once healthy${s.urls.length ? " (the proxy switches at once)" : ""}: no downtime.`
                : `Recreated: ${s.strategy.reason}. The old container stops, the new one starts and is checked; if it fails, the old one starts again.`}
            </p>
            {s.dockerVolumes.length > 0 && (
              <p className="mt-2 text-xs text-slate-500">
                Volumes: {s.dockerVolumes.map((v) => `${v.source} at ${v.target}${v.readOnly ? " (read-only)" : ""}, Docker volume ${v.dockerName}`).join("; ")}
              </p>
            )}
          </Card>
        )}
        {s.kind === "git" && (
          <Card title="Auto-deploy" description={`Pushes to ${s.gitBranch} deploy when this webhook is set in GitHub, GitLab or Gitea (content type JSON).`}>
            <p className="mb-2 break-all font-mono text-xs text-slate-700" data-testid="webhook-url">
              {s.webhookUrl}
            </p>
            {canWrite && (
              <div className="flex flex-wrap gap-2">
                <ActionForm action={revealWebhookSecretAction} className="space-y-2">
                  {inputs}
                  <SubmitButton variant="secondary" pendingLabel="…">
                    Show secret
                  </SubmitButton>
                  <CopyResult testId="webhook-secret" />
                </ActionForm>
                <ActionForm
                  action={rotateWebhookSecretAction}
                  className="space-y-2"
                  confirm="Make a new webhook secret? Pushes signed with the old one will be refused."
                >
                  {inputs}
                  <SubmitButton variant="ghost" pendingLabel="…">
                    New secret
                  </SubmitButton>
                  <CopyResult testId="webhook-secret-new" />
                </ActionForm>
              </div>
            )}
          </Card>
        )}
      </div>

      <h2 className="mb-3 text-lg font-semibold">Deployments</h2>
      {deployments.length === 0 ? (
        <p className="mb-6 text-sm text-slate-500">
          No deployments yet
          {canWrite ? (s.kind === "git" ? `: press Deploy to build ${s.gitBranch}.` : `: press Deploy to pull ${s.image} and start it.`) : "."}
        </p>
      ) : (
        <div className="mb-6">
          <DataTable columns={["#", "Status", git ? "Commit" : "Image", "Trigger", "Started", "Took", { label: "", align: "right" }]} testId="deployments">
            {deployments.map((d) => {
              const took = d.timed.reduce((sum, t) => sum + (t.ms ?? 0), 0);
              return (
                <tr key={d.id} data-number={d.number}>
                  <td className="px-4 py-2.5 font-medium">
                    <Link href={`/t/${ctx.team.slug}/deployments/${d.id}`} className="text-brand-600 hover:underline">
                      #{d.number}
                    </Link>
                  </td>
                  <td className="px-4 py-2.5">
                    <div className="flex items-center gap-1.5">
                      <DeploymentStatusBadge status={d.status} serving={d.id === s.liveDeploymentId} />
                      {d.id === s.liveDeploymentId && <Badge color="green">serving</Badge>}
                    </div>
                  </td>
                  <td className="max-w-xs px-4 py-2.5">
                    <Source kind={s.kind} d={d} />
                  </td>
                  <td className="px-4 py-2.5 text-slate-600">
                    {TRIGGER[d.trigger] ?? d.trigger}
                    <span className="block text-xs text-slate-400">{d.actorEmail}</span>
                  </td>
                  <td className="px-4 py-2.5 text-slate-600">
                    <RelativeTime date={d.createdAt} />
                  </td>
                  <td className="px-4 py-2.5 tabular-nums text-slate-600">{d.finishedAt ? formatMs(took) : "…"}</td>
                  <td className="px-4 py-2.5 text-right">
                    {canWrite && d.status === "LIVE" && d.id !== s.liveDeploymentId && !d.imagePrunedAt && (
                      <ActionForm action={rollbackAction} className="inline-flex" confirm={`Put #${d.number} back live?`}>
                        {inputs}
                        <input type="hidden" name="deploymentId" value={d.id} />
                        <SubmitButton variant="secondary" pendingLabel="…">
                          Roll back to #{d.number}
                        </SubmitButton>
                      </ActionForm>
                    )}
                    {d.status === "LIVE" && d.imagePrunedAt && <span className="text-xs text-slate-400">image pruned</span>}
                  </td>
                </tr>
              );
            })}
          </DataTable>
        </div>
      )}

      {releases.length > 0 && otherEnvs.length > 0 && (
        <div className="mb-6">
          <Card
            title="Promote"
            description={`Deploy the exact image of one of ${s.name}'s releases to the ${s.name} service of another environment, with that environment's configuration.`}
          >
            <ActionForm action={promoteAction} className="flex flex-wrap items-end gap-3">
              {inputs}
              <Select label="Release" name="deploymentId" defaultValue={releases[0]!.id}>
                {releases.map((r) => (
                  <option key={r.id} value={r.id}>
                    #{r.number} · {git ? `${r.commitSha?.slice(0, 7)} ${r.commitMessage?.slice(0, 50) ?? ""}` : `${r.image ?? ""} (${r.imageId?.slice(7, 19)})`}
                  </option>
                ))}
              </Select>
              <Select label="To" name="environmentId" defaultValue={otherEnvs.at(-1)!.id}>
                {otherEnvs.map((e) => (
                  <option key={e.id} value={e.id}>
                    {e.name}
                    {e.protected ? " (protected)" : ""}
                  </option>
                ))}
              </Select>
              <SubmitButton pendingLabel="Promoting…">Promote</SubmitButton>
            </ActionForm>
          </Card>
        </div>
      )}

      {s.kind === "git" && s.gitAuth === "ssh" && s.gitPublicKey && (
        <div className="mb-6">
          <Card title="Deploy key" description={`Add this public key to the repository as a read-only deploy key. Fingerprint ${s.deployKeyFingerprint}.`}>
            <textarea
              readOnly
              rows={3}
              value={s.gitPublicKey}
              data-testid="deploy-key"
              className="block w-full rounded-md border border-slate-300 bg-slate-50 px-3 py-2 font-mono text-xs"
            />
            {canWrite && (
              <ActionForm
                action={regenerateDeployKeyAction}
                className="mt-3"
                confirm="Make a new deploy key? The old one stops working once you remove it from the git host."
              >
                {inputs}
                <SubmitButton variant="ghost" pendingLabel="…">
                  New deploy key
                </SubmitButton>
              </ActionForm>
            )}
          </Card>
        </div>
      )}

      {s.kind === "git" && previews && (
        <div className="mb-6">
          <PreviewSettingsCard settings={previews} branch={s.gitBranch ?? ""} canChange={canWrite} action={updatePreviewSettingsAction} inputs={inputs} />
        </div>
      )}

      {s.kind === "git" && (
        <div className="mb-6">
          <GitConnectionCard
            service={s}
            inputs={inputs}
            canTest={canWrite}
            canAccept={can(ctx.role, "service.git-host-key")}
            testAction={testGitConnectionAction}
            acceptAction={acceptGitHostKeyAction}
          />
        </div>
      )}

      {canWrite && (
        <details className="rounded-lg border border-slate-200 bg-white px-5 py-3">
          <summary className="cursor-pointer text-sm font-medium text-slate-700">Settings of {s.name}</summary>
          <ActionForm action={s.kind === "git" ? updateGitServiceAction : updateServiceAction} className="mt-3 space-y-4">
            {inputs}
            {s.kind === "git" ? (
              <GitServiceFields hosts={hosts!} team={ctx.team.slug} service={s} />
            ) : (
              <ServiceFields hosts={hosts!} team={ctx.team.slug} service={s} />
            )}
            <SubmitButton pendingLabel="Saving…">Save settings</SubmitButton>
          </ActionForm>
        </details>
      )}
    </>
  );
}
