import Link from "next/link";
import { PageHeader } from "@/components/shell/page-header";
import { ActionForm } from "@/components/ui/action-form";
import { SubmitButton } from "@/components/ui/button";
import { Badge, Card, EmptyState } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { requireTeam } from "@/lib/auth/session";
import { listProjects } from "@/lib/data/projects";
import { can } from "@/lib/permissions";
import { createProjectAction } from "./actions";

export const metadata = { title: "Projects" };

export default async function ProjectsPage({ params, searchParams }: { params: Promise<{ slug: string }>; searchParams: Promise<{ archived?: string }> }) {
  const ctx = await requireTeam((await params).slug);
  const archived = (await searchParams).archived === "1";
  const projects = await listProjects(ctx, { archived });
  const base = `/t/${ctx.team.slug}/projects`;
  return (
    <>
      <PageHeader
        title={archived ? "Archived projects" : "Projects"}
        description="Each project has its environments, their services and their configuration."
        actions={
          <Link href={archived ? base : `${base}?archived=1`} className="text-sm text-brand-600 hover:underline">
            {archived ? "Active projects" : "Archived projects"}
          </Link>
        }
      />
      {projects.length === 0 ? (
        <EmptyState title={archived ? "No archived projects" : "No projects yet"}>
          {!archived && can(ctx.role, "project.write") ? "Create one below." : null}
        </EmptyState>
      ) : (
        <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3" data-testid="projects">
          {projects.map((p) => (
            <Link key={p.id} href={`${base}/${p.slug}`} className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm hover:ring-2 hover:ring-brand-100">
              <p className="font-medium text-slate-900">{p.name}</p>
              <div className="mt-2 flex flex-wrap gap-1.5">
                {p.environments.map((e) => (
                  <Badge key={e.id} color={e.protected ? "amber" : "gray"}>
                    {e.name}
                    {e.protected ? " 🔒" : ""}
                  </Badge>
                ))}
              </div>
            </Link>
          ))}
        </div>
      )}
      {!archived && can(ctx.role, "project.write") && (
        <div className="mt-8 max-w-xl">
          <Card title="New project" description="Starts with development, staging and a protected production environment.">
            <ActionForm action={createProjectAction}>
              <input type="hidden" name="team" value={ctx.team.slug} />
              <Field label="Name" name="name" placeholder="Web shop" required />
              <SubmitButton pendingLabel="Creating…">Create project</SubmitButton>
            </ActionForm>
          </Card>
        </div>
      )}
    </>
  );
}
