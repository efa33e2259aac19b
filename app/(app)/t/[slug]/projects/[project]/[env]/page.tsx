import Link from "next/link";
import { notFound } from "next/navigation";
import { VariableEditor } from "@/components/config/variable-editor";
import { PageHeader } from "@/components/shell/page-header";
import { ActionForm } from "@/components/ui/action-form";
import { SubmitButton } from "@/components/ui/button";
import { Badge, Card } from "@/components/ui/card";
import { requireTeam } from "@/lib/auth/session";
import { getEnvironment } from "@/lib/data/projects";
import { listVariables } from "@/lib/data/variables";
import { NotFoundError } from "@/lib/errors";
import { can, canChangeEnvironment } from "@/lib/permissions";
import { protectEnvironmentAction } from "../../actions";

export default async function EnvironmentPage({ params }: { params: Promise<{ slug: string; project: string; env: string }> }) {
  const { slug, project: projectSlug, env: envSlug } = await params;
  const ctx = await requireTeam(slug);
  const { project, env } = await getEnvironment(ctx, projectSlug, envSlug).catch((e) => (e instanceof NotFoundError ? notFound() : Promise.reject(e)));
  const vars = await listVariables(ctx, { scope: "ENVIRONMENT", environmentId: env.id });
  const path = `/t/${ctx.team.slug}/projects/${project.slug}/${env.slug}`;
  const canWrite = canChangeEnvironment(ctx.role, env);
  return (
    <>
      <Link href={`/t/${ctx.team.slug}/projects/${project.slug}`} className="text-sm text-slate-500 hover:text-slate-800">
        ← {project.name}
      </Link>
      <PageHeader
        title={`${project.name} / ${env.name}`}
        description={env.protected ? "Protected: only admins and owners change its configuration or deploy to it." : "Developers and above change its configuration and deploy to it."}
        actions={
          <div className="flex items-center gap-3">
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
      <Card title="Environment variables" description="Override project and team variables for this environment.">
        <VariableEditor
          team={ctx.team.slug}
          scope="ENVIRONMENT"
          ownerId={env.id}
          path={path}
          vars={vars}
          canWrite={canWrite}
          readOnlyReason={env.protected ? "This environment is protected: only admins and owners change it. Secrets stay masked." : "Developers and above edit variables."}
        />
      </Card>
    </>
  );
}
