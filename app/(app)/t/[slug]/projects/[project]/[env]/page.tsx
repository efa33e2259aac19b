import Link from "next/link";
import { notFound } from "next/navigation";
import { DotenvImport } from "@/components/config/dotenv-import";
import { ServiceCard } from "@/components/config/service-card";
import { ServiceFields } from "@/components/config/service-form";
import { GitServiceFields } from "@/components/deploy/git-service-fields";
import { VariableEditor } from "@/components/config/variable-editor";
import { LiveRefresh } from "@/components/live/live-refresh";
import { PreviewSecretsCard } from "@/components/previews/preview-secrets-card";
import { previewSecretChoices } from "@/lib/data/preview-secret-keys";
import { hostChoices } from "@/lib/data/hosts";
import { resolvedServices } from "@/lib/data/resolved-config";
import { listServices } from "@/lib/data/services";
import { PageHeader } from "@/components/shell/page-header";
import { ActionForm } from "@/components/ui/action-form";
import { SubmitButton } from "@/components/ui/button";
import { Badge, Card } from "@/components/ui/card";
import { requireTeam } from "@/lib/auth/session";
import { getEnvironment } from "@/lib/data/projects";
import { listVariables } from "@/lib/data/variables";
import { NotFoundError } from "@/lib/errors";
import { can, canChangeEnvironment } from "@/lib/permissions";
import { DangerZone } from "@/components/config/danger-zone";
import { deleteEnvironmentAction, protectEnvironmentAction } from "../../actions";
import { createServiceAction, deleteServiceAction, deployAllPendingAction, deployImageAction, updateServiceAction } from "../../service-actions";
import { applyImportAction, previewImportAction } from "../../transfer-actions";
import { createGitServiceAction, deployGitAction } from "../../deploy-actions";
import { setPreviewSecretKeysAction } from "../../preview-actions";
import {
  deleteEnvironmentVariableAction,
  deleteServiceVariableAction,
  setEnvironmentVariableAction,
  setServiceVariableAction,
} from "../../../variables/actions";

const environmentVariableActions = { set: setEnvironmentVariableAction, remove: deleteEnvironmentVariableAction };
const serviceVariableActions = { set: setServiceVariableAction, remove: deleteServiceVariableAction };
const serviceActions = { deployGit: deployGitAction, deployImage: deployImageAction, remove: deleteServiceAction };

export default async function EnvironmentPage({ params }: { params: Promise<{ slug: string; project: string; env: string }> }) {
  const { slug, project: projectSlug, env: envSlug } = await params;
  const ctx = await requireTeam(slug);
  const { project, env } = await getEnvironment(ctx, projectSlug, envSlug).catch((e) => (e instanceof NotFoundError ? notFound() : Promise.reject(e)));
  const vars = await listVariables(ctx, { scope: "ENVIRONMENT", environmentId: env.id });
  const path = `/t/${ctx.team.slug}/projects/${project.slug}/${env.slug}`;
  const canWrite = canChangeEnvironment(ctx.role, env);
  const [services, resolved, previewSecrets] = await Promise.all([
    listServices(ctx, env.id),
    resolvedServices(ctx, { id: env.id, projectId: project.id }),
    previewSecretChoices(ctx, project.slug, env.slug),
  ]);
  const [hosts, serviceVars] = await Promise.all([
    canWrite
      ? hostChoices(
          ctx,
          services.map((s) => s.hostId),
        )
      : { hosts: [], total: 0 }, // only its forms choose a host
    Promise.all(services.map((s) => listVariables(ctx, { scope: "SERVICE", serviceId: s.id }))),
  ]);
  const pending = resolved.filter((r) => r.pending);
  const hidden = { team: ctx.team.slug, project: project.slug, env: env.slug };
  const hiddenInputs = Object.entries(hidden).map(([k, v]) => <input key={k} type="hidden" name={k} value={v} />);
  return (
    <>
      <Link href={`/t/${ctx.team.slug}/projects/${project.slug}`} className="text-sm text-slate-500 hover:text-slate-800">
        ← {project.name}
      </Link>
      <PageHeader
        title={`${project.name} / ${env.name}`}
        description={
          env.protected
            ? "Protected: only admins and owners change its configuration or deploy to it."
            : "Developers and above change its configuration and deploy to it."
        }
        actions={
          <div className="flex items-center gap-3">
            {/* The service cards follow their deployments as they progress. */}
            <LiveRefresh slug={ctx.team.slug} kind="deployment" />
            {env.protected ? <Badge color="amber">protected</Badge> : <Badge>open</Badge>}
            {can(ctx.role, "environment.protect") && (
              <ActionForm action={protectEnvironmentAction} className="flex items-center" showMessage={false}>
                <input type="hidden" name="team" value={ctx.team.slug} />
                <input type="hidden" name="project" value={project.slug} />
                <input type="hidden" name="env" value={env.slug} />
                <input type="hidden" name="protected" value={env.protected ? "false" : "true"} />
                <SubmitButton variant="secondary" pendingLabel="…">
                  {env.protected ? "Unprotect" : "Protect"}
                </SubmitButton>
              </ActionForm>
            )}
          </div>
        }
      />
      {pending.length > 0 && canWrite && (
        <div className="mb-6 flex flex-wrap items-center justify-between gap-3 rounded-lg border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900">
          <span>Configuration changed for {pending.map((p) => p.name).join(", ")}: redeploy to apply.</span>
          <ActionForm action={deployAllPendingAction} className="flex flex-col items-end gap-1">
            {hiddenInputs}
            <input type="hidden" name="serviceIds" value={pending.map((p) => p.serviceId).join(",")} />
            <SubmitButton pendingLabel="Redeploying…">Redeploy {pending.length === 1 ? "it" : `all ${pending.length}`}</SubmitButton>
          </ActionForm>
        </div>
      )}

      <h2 className="mb-3 text-lg font-semibold">Services</h2>
      <div className="space-y-4">
        {services.length === 0 && <p className="text-sm text-slate-500">No services in this environment yet.</p>}
        {services.map((s, i) => (
          <div key={s.id} className="space-y-2">
            <ServiceCard actions={serviceActions} hidden={hidden} service={s} resolved={resolved.find((r) => r.serviceId === s.id)!} canChange={canWrite} />
            {canWrite && s.source === "image" && (
              <details className="rounded-lg border border-slate-200 bg-white px-5 py-3">
                <summary className="cursor-pointer text-sm font-medium text-slate-700">Settings of {s.name}</summary>
                <ActionForm action={updateServiceAction} className="mt-3 space-y-4">
                  {hiddenInputs}
                  <input type="hidden" name="serviceId" value={s.id} />
                  <ServiceFields hosts={hosts} team={ctx.team.slug} service={s} />
                  <SubmitButton pendingLabel="Saving…">Save settings</SubmitButton>
                </ActionForm>
              </details>
            )}
            <details className="rounded-lg border border-slate-200 bg-white px-5 py-3">
              <summary className="cursor-pointer text-sm font-medium text-slate-700">
                Variables of {s.name} only ({serviceVars[i]!.length})
              </summary>
              <div className="mt-3">
                <VariableEditor
                  actions={serviceVariableActions}
                  team={ctx.team.slug}
                  scope="SERVICE"
                  ownerId={s.id}
                  path={path}
                  vars={serviceVars[i]!}
                  canWrite={canWrite}
                />
              </div>
            </details>
          </div>
        ))}
      </div>

      {canWrite && (
        <div className="mt-6 space-y-4">
          <details className="rounded-lg border border-slate-200 bg-white px-5 py-3" open={services.length === 0}>
            <summary className="cursor-pointer text-sm font-medium text-slate-700">Add a service from a git repository</summary>
            <p className="mt-1 text-sm text-slate-500">
              Built on its host from a Dockerfile, deployed with zero downtime behind the host&apos;s proxy, rolled back in one click.
            </p>
            <ActionForm action={createGitServiceAction} className="mt-3 space-y-4" data-testid="add-git-service">
              {hiddenInputs}
              <GitServiceFields hosts={hosts} team={ctx.team.slug} />
              <SubmitButton pendingLabel="Adding…">Add git service</SubmitButton>
            </ActionForm>
          </details>
          <details className="rounded-lg border border-slate-200 bg-white px-5 py-3">
            <summary className="cursor-pointer text-sm font-medium text-slate-700">Add a service from an image</summary>
            <p className="mt-1 text-sm text-slate-500">An image to run on one of the team&apos;s hosts, in this environment&apos;s own network.</p>
            <ActionForm action={createServiceAction} resetOnSuccess className="mt-3 space-y-4" data-testid="add-image-service">
              {hiddenInputs}
              <ServiceFields hosts={hosts} team={ctx.team.slug} />
              <SubmitButton pendingLabel="Adding…">Add service</SubmitButton>
            </ActionForm>
          </details>
        </div>
      )}

      <div className="mt-8" />
      <Card title="Environment variables" description="Override project and team variables for this environment.">
        <VariableEditor
          actions={environmentVariableActions}
          team={ctx.team.slug}
          scope="ENVIRONMENT"
          ownerId={env.id}
          place={{ project: project.slug, env: env.slug }}
          path={path}
          vars={vars}
          canWrite={canWrite}
          readOnlyReason={
            env.protected ? "This environment is protected: only admins and owners change it. Secrets stay masked." : "Developers and above edit variables."
          }
        />
      </Card>
      <div className="mt-6">
        <PreviewSecretsCard
          secrets={previewSecrets.secrets}
          canChange={can(ctx.role, "preview.secrets")}
          action={setPreviewSecretKeysAction}
          inputs={hiddenInputs}
        />
      </div>
      <div className="mt-6 grid gap-6 lg:grid-cols-2">
        {canWrite && (
          <Card title="Import .env" description="Paste or upload; you see what would change before anything is saved.">
            <DotenvImport preview={previewImportAction} apply={applyImportAction} hidden={{ team: ctx.team.slug, environmentId: env.id, path }} />
          </Card>
        )}
        <Card title="Export .env" description="This environment's own variables.">
          <div className="flex flex-wrap gap-3 text-sm">
            <a href={`/api/v1/teams/${ctx.team.slug}/projects/${project.slug}/environments/${env.slug}/dotenv`} className="text-brand-600 hover:underline">
              Download without secrets
            </a>
            {can(ctx.role, "config.export-secrets") && (
              <a
                href={`/api/v1/teams/${ctx.team.slug}/projects/${project.slug}/environments/${env.slug}/dotenv?secrets=1`}
                className="text-amber-700 hover:underline"
              >
                Download with secrets (recorded in the audit log)
              </a>
            )}
          </div>
        </Card>
      </div>

      {can(ctx.role, "project.delete") && (
        <div className="mt-8">
          <DangerZone
            what="environment"
            name={env.name}
            action={deleteEnvironmentAction}
            hidden={hidden}
            consequences={`${
              services.length === 0
                ? "Its variables go with it."
                : `${services.length === 1 ? "Its service" : "Its services"} ${services.map((s) => s.name).join(", ")} ${services.length === 1 ? "goes" : "go"} with it, along with the variables and deployment history.`
            } Running deployments are cancelled; containers, proxy routes, release images and this environment's network are removed from their hosts (a host that is offline does it when it is back).`}
          />
        </div>
      )}
    </>
  );
}
