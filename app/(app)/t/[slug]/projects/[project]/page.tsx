import Link from "next/link";
import { notFound } from "next/navigation";
import { VariableEditor } from "@/components/config/variable-editor";
import { LiveRefresh } from "@/components/live/live-refresh";
import { PreviewsSection } from "@/components/previews/previews-section";
import { listPreviews } from "@/lib/data/previews";
import { PageHeader } from "@/components/shell/page-header";
import { ActionForm } from "@/components/ui/action-form";
import { Alert } from "@/components/ui/alert";
import { SubmitButton } from "@/components/ui/button";
import { Badge, Card } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { requireTeam } from "@/lib/auth/session";
import { getProject } from "@/lib/data/projects";
import { sharedVariableUsage } from "@/lib/data/resolved-config";
import { listVariables } from "@/lib/data/variables";
import { NotFoundError } from "@/lib/errors";
import { can } from "@/lib/permissions";
import { DangerZone } from "@/components/config/danger-zone";
import { servicesPerEnvironment } from "@/lib/data/delete-project";
import { archiveProjectAction, createEnvironmentAction, deleteProjectAction, renameProjectAction } from "../actions";
import { approvePreviewAction, closePreviewAction } from "../preview-actions";
import { cloneEnvironmentAction } from "../transfer-actions";
import { Select } from "@/components/ui/field";
import { deleteProjectVariableAction, setProjectVariableAction } from "../../variables/actions";

export default async function ProjectPage({ params }: { params: Promise<{ slug: string; project: string }> }) {
  const { slug, project: projectSlug } = await params;
  const ctx = await requireTeam(slug);
  const project = await getProject(ctx, projectSlug).catch((e) => (e instanceof NotFoundError ? notFound() : Promise.reject(e)));
  const [vars, usage, serviceCounts, previews] = await Promise.all([
    listVariables(ctx, { scope: "PROJECT", projectId: project.id }),
    sharedVariableUsage(ctx, "project", project.id),
    servicesPerEnvironment(ctx, project.id),
    listPreviews(ctx, { projectSlug: project.slug }),
  ]);
  const services = Object.values(serviceCounts).reduce((a, b) => a + b, 0);
  const count = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;
  const base = `/t/${ctx.team.slug}/projects/${project.slug}`;
  const hidden = (
    <>
      <input type="hidden" name="team" value={ctx.team.slug} />
      <input type="hidden" name="project" value={project.slug} />
    </>
  );
  return (
    <>
      <Link href={`/t/${ctx.team.slug}/projects`} className="text-sm text-slate-500 hover:text-slate-800">
        ← Projects
      </Link>
      <PageHeader
        title={project.name}
        description="Environments, and the variables every environment of this project shares."
        actions={
          <Link href={`${base}/compare`} className="text-sm text-brand-600 hover:underline">
            Compare environments
          </Link>
        }
      />
      {project.archivedAt && (
        <div className="mb-6">
          <Alert tone="warning">This project is archived.</Alert>
        </div>
      )}
      <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3" data-testid="environments">
        {project.environments.map((e) => (
          <Link key={e.id} href={`${base}/${e.slug}`} className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm hover:ring-2 hover:ring-brand-100">
            <div className="flex items-center justify-between">
              <span className="font-medium">{e.name}</span>
              {e.protected ? <Badge color="amber">protected</Badge> : <Badge>open</Badge>}
            </div>
            <p className="mt-1 text-xs text-slate-500">{e.protected ? "Admins and owners change and deploy." : "Developers and above change and deploy."}</p>
          </Link>
        ))}
      </div>

      <PreviewsSection
        previews={previews}
        team={ctx.team.slug}
        base={base}
        canAct={can(ctx.role, "service.deploy")}
        approve={approvePreviewAction}
        close={closePreviewAction}
        live={previews.length > 0 ? <LiveRefresh slug={ctx.team.slug} kind="deployment" /> : undefined}
      />

      <div className="mt-8 space-y-6">
        <Card title="Project variables" description="Shared by every environment of this project; environment and service variables override them.">
          <VariableEditor
            actions={{ set: setProjectVariableAction, remove: deleteProjectVariableAction }}
            team={ctx.team.slug}
            scope="PROJECT"
            ownerId={project.id}
            place={{ project: project.slug }}
            path={base}
            vars={vars}
            canWrite={can(ctx.role, "project.write")}
            readOnlyReason="Developers and above edit project variables."
            usage={usage}
          />
        </Card>

        {can(ctx.role, "project.write") && (
          <Card title="Add environment">
            <ActionForm action={createEnvironmentAction} resetOnSuccess>
              {hidden}
              <Field label="Name" name="name" id="f-environment-name" placeholder="qa" required />
              {can(ctx.role, "environment.protect") && (
                <label className="flex items-center gap-2 text-sm text-slate-700">
                  <input type="checkbox" name="protected" /> Protected (only admins and owners change or deploy it)
                </label>
              )}
              <SubmitButton pendingLabel="Adding…">Add environment</SubmitButton>
            </ActionForm>
          </Card>
        )}

        {can(ctx.role, "project.write") && (
          <Card
            title="Clone an environment"
            description="Copies its variables and services. Secrets only when you ask (and, from a protected environment, only for admins)."
          >
            <ActionForm action={cloneEnvironmentAction}>
              {hidden}
              <div className="grid gap-4 sm:grid-cols-2">
                <Select label="From" name="from" defaultValue="staging">
                  {project.environments.map((e) => (
                    <option key={e.id} value={e.slug}>
                      {e.name}
                    </option>
                  ))}
                </Select>
                <Field label="New environment name" name="name" id="f-clone-name" placeholder="preview" />
              </div>
              <label className="flex items-center gap-2 text-sm text-slate-700">
                <input type="checkbox" name="withSecrets" /> Copy secrets too
              </label>
              <SubmitButton pendingLabel="Cloning…">Clone</SubmitButton>
            </ActionForm>
          </Card>
        )}

        {can(ctx.role, "project.archive") && (
          <Card title="Project settings">
            <div className="space-y-6">
              <ActionForm action={renameProjectAction}>
                {hidden}
                <Field label="Name" name="name" id="f-project-name" defaultValue={project.name} required />
                <SubmitButton pendingLabel="Saving…">Rename</SubmitButton>
              </ActionForm>
              <ActionForm action={archiveProjectAction} confirm={project.archivedAt ? undefined : `Archive ${project.name}?`}>
                {hidden}
                <input type="hidden" name="archived" value={project.archivedAt ? "false" : "true"} />
                <SubmitButton variant="secondary" pendingLabel="…">
                  {project.archivedAt ? "Restore project" : "Archive project"}
                </SubmitButton>
              </ActionForm>
            </div>
          </Card>
        )}

        {can(ctx.role, "project.delete") && (
          <DangerZone
            what="project"
            name={project.name}
            action={deleteProjectAction}
            hidden={{ team: ctx.team.slug, project: project.slug }}
            consequences={`Its ${count(project.environments.length, "environment")} and ${count(services, "service")} go with it, along with their variables and deployment history. Running deployments are cancelled; the services' containers, proxy routes and release images and the environments' networks are removed from their hosts (a host that is offline does it when it is back).`}
          />
        )}
      </div>
    </>
  );
}
