import Link from "next/link";
import { notFound } from "next/navigation";
import { DeployLog } from "@/components/deploy/deploy-log";
import { DeploymentSteps } from "@/components/deploy/deployment-steps";
import { ExplainedError } from "@/components/deploy/explained-error";
import { DeploymentStatusBadge } from "@/components/deploy/status-badge";
import { LiveRefresh } from "@/components/live/live-refresh";
import { PageHeader } from "@/components/shell/page-header";
import { RelativeTime } from "@/components/time";
import { ActionForm } from "@/components/ui/action-form";
import { Alert } from "@/components/ui/alert";
import { SubmitButton } from "@/components/ui/button";
import { requireTeam } from "@/lib/auth/session";
import { getDeployment } from "@/lib/data/deployments";
import { serviceView } from "@/lib/data/service-view";
import { isTerminal, plannedSteps } from "@/lib/deploy/states";
import { NotFoundError } from "@/lib/errors";
import { canChangeEnvironment } from "@/lib/permissions";
import { cancelDeploymentAction, rollbackAction } from "../../projects/deploy-actions";

const TRIGGER = { manual: "Deployed with the Deploy button", webhook: "Deployed by a push", rollback: "Rollback", promote: "Promotion" } as Record<
  string,
  string
>;

export default async function DeploymentPage({ params }: { params: Promise<{ slug: string; deploymentId: string }> }) {
  const { slug, deploymentId } = await params;
  const ctx = await requireTeam(slug);
  const d = await getDeployment(ctx, deploymentId).catch((e) => (e instanceof NotFoundError ? notFound() : Promise.reject(e)));
  const env = d.service.environment;
  const s = await serviceView(ctx, env.project.slug, env.slug, d.service.name);
  const servicePath = `/t/${ctx.team.slug}/projects/${env.project.slug}/${env.slug}/services/${d.service.name}`;
  const canWrite = canChangeEnvironment(ctx.role, env);
  const ended = isTerminal(d.status);
  const hidden = { team: ctx.team.slug, project: env.project.slug, env: env.slug, service: d.service.name, deploymentId: d.id };
  const inputs = Object.entries(hidden).map(([k, v]) => <input key={k} type="hidden" name={k} value={v} />);
  const serving = s.liveDeploymentId === d.id;

  return (
    <>
      <LiveRefresh slug={ctx.team.slug} serviceId={d.service.id} />
      <div>
        <Link href={servicePath} className="text-sm text-slate-500 hover:text-slate-800">
          ← {env.project.name} / {env.name} / {d.service.name}
        </Link>
      </div>
      <PageHeader
        title={`${d.service.name} #${d.number}`}
        description={
          <>
            {TRIGGER[d.trigger] ?? d.trigger} · {d.actorEmail} · <RelativeTime date={d.createdAt} /> · on {d.host?.name ?? "a removed host"}
          </>
        }
        actions={
          <div className="flex items-center gap-3">
            <DeploymentStatusBadge status={d.status} serving={serving} />
            {canWrite && !ended && (
              <ActionForm action={cancelDeploymentAction} className="flex flex-col items-end gap-1" confirm={`Cancel #${d.number}?`}>
                {inputs}
                <SubmitButton variant="secondary" pendingLabel="Cancelling…" disabled={d.cancelRequested}>
                  {d.cancelRequested ? "Cancelling…" : "Cancel"}
                </SubmitButton>
              </ActionForm>
            )}
            {canWrite && d.status === "LIVE" && !serving && !d.imagePrunedAt && (
              <ActionForm action={rollbackAction} className="flex flex-col items-end gap-1" confirm={`Put #${d.number} back live?`}>
                {inputs}
                <SubmitButton variant="secondary" pendingLabel="…">
                  Roll back to this
                </SubmitButton>
              </ActionForm>
            )}
          </div>
        }
      />

      <div className="mb-4 space-y-3">
        <DeploymentSteps
          steps={d.timed}
          planned={plannedSteps(Boolean(d.sourceId), s.kind, d.pullsRelease)}
          outcome={ended ? d.status : null}
          error={d.error}
        />
        {d.position !== null && (
          <p className="text-sm text-slate-600" data-testid="queue-position">
            Waiting in the host&apos;s queue: {d.position === 1 ? "next to start" : `position ${d.position}`}.
          </p>
        )}
        <dl className="grid gap-x-6 gap-y-1 text-sm sm:grid-cols-[max-content_1fr]">
          {s.kind === "git" && (
            <>
              <dt className="text-slate-500">Commit</dt>
              <dd className="min-w-0 truncate" data-testid="commit">
                {d.commitSha ? (
                  <>
                    <span className="font-mono">{d.commitSha.slice(0, 12)}</span> {d.commitMessage} <span className="text-slate-500">— {d.commitAuthor}</span>
                  </>
                ) : (
                  <span className="text-slate-400">known once cloned</span>
                )}
              </dd>
              <dt className="text-slate-500">Branch</dt>
              <dd className="font-mono">{d.ref}</dd>
            </>
          )}
          {(d.imageId || d.image) && (
            <>
              <dt className="text-slate-500">Image</dt>
              <dd className="font-mono text-xs leading-5" data-testid="image">
                {d.image && <span className="mr-2">{d.image}</span>}
                {d.imageId ? d.imageId.slice(7, 19) : <span className="font-sans text-slate-400">known once pulled</span>}
                {d.imagePrunedAt && <span className="ml-2 text-slate-400">(pruned)</span>}
              </dd>
            </>
          )}
          {d.status === "LIVE" && (d.imageDigest || d.pushError) && (
            <>
              <dt className="text-slate-500">Registry</dt>
              <dd className="font-mono text-xs leading-5" data-testid="registry">
                {d.imageDigest ? (
                  <>
                    {d.registryRepo}@{d.imageDigest.slice(0, 19)}
                  </>
                ) : (
                  <span className="font-sans text-amber-700">
                    Not in Berth's registry: {(d.pushError ?? "").replace(/\.$/, "")}. It runs here, but cannot be promoted or rolled back to on another host.
                  </span>
                )}
              </dd>
            </>
          )}
          {d.configKeys && (
            <>
              <dt className="text-slate-500">Configuration</dt>
              <dd className="text-xs leading-5 text-slate-600">{(d.configKeys as string[]).join(", ") || "no variables"}</dd>
            </>
          )}
        </dl>
        {serving && (
          <Alert tone="success">
            Serving at{" "}
            {s.urls.map((u) => (
              <a key={u} href={u} target="_blank" rel="noreferrer" className="mr-2 font-mono underline" data-testid="live-url">
                {u}
              </a>
            ))}
          </Alert>
        )}
        {d.error && (
          <Alert tone="error">
            <ExplainedError text={d.error} testId="deployment-error" />
            {d.status === "FAILED" && s.liveDeploymentId && <p className="mt-1.5">The previous release keeps serving.</p>}
          </Alert>
        )}
      </div>
      <DeployLog url={`/api/v1/teams/${ctx.team.slug}/deployments/${d.id}/log`} />
    </>
  );
}
