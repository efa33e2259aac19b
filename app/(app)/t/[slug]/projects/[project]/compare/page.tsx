import Link from "next/link";
import { notFound } from "next/navigation";
import { PageHeader } from "@/components/shell/page-header";
import { ActionForm } from "@/components/ui/action-form";
import { SubmitButton } from "@/components/ui/button";
import { buttonClass } from "@/components/ui/button-class";
import { Badge, Card, EmptyState } from "@/components/ui/card";
import { requireTeam } from "@/lib/auth/session";
import { compareEnvironments } from "@/lib/data/env-transfer";
import { getProject } from "@/lib/data/projects";
import { NotFoundError } from "@/lib/errors";
import { canChangeEnvironment } from "@/lib/permissions";
import { promoteAction } from "../../transfer-actions";

export const metadata = { title: "Compare environments" };

export default async function ComparePage({
  params,
  searchParams,
}: {
  params: Promise<{ slug: string; project: string }>;
  searchParams: Promise<{ a?: string; b?: string }>;
}) {
  const { slug, project: projectSlug } = await params;
  const ctx = await requireTeam(slug);
  const project = await getProject(ctx, projectSlug).catch((e) => (e instanceof NotFoundError ? notFound() : Promise.reject(e)));
  const search = await searchParams;
  const envs = project.environments;
  const a = envs.find((e) => e.slug === search.a) ?? envs.find((e) => e.slug === "staging") ?? envs[0]!;
  const b = envs.find((e) => e.slug === search.b && e.slug !== a.slug) ?? envs.find((e) => e.slug !== a.slug) ?? a;
  const { rows } = await compareEnvironments(ctx, project.slug, a.slug, b.slug);
  const canPromote = canChangeEnvironment(ctx.role, b);
  const base = `/t/${ctx.team.slug}/projects/${project.slug}`;
  const select = (name: string, value: string) => (
    <select name={name} defaultValue={value} className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm">
      {envs.map((e) => (
        <option key={e.id} value={e.slug}>
          {e.name}
        </option>
      ))}
    </select>
  );
  return (
    <>
      <Link href={base} className="text-sm text-slate-500 hover:text-slate-800">
        ← {project.name}
      </Link>
      <PageHeader title="Compare environments" description="Keys missing on either side and values that differ. Secrets are compared without being shown." />
      <form method="get" className="mb-4 flex flex-wrap items-center gap-3 text-sm">
        {select("a", a.slug)} <span className="text-slate-500">against</span> {select("b", b.slug)}
        <button type="submit" className={buttonClass("secondary")}>
          Compare
        </button>
      </form>
      <Card
        title={`${a.name} → ${b.name}`}
        description={
          canPromote ? `Tick keys of ${a.name} to promote them to ${b.name} in one step.` : `${b.name} is protected: only admins and owners promote into it.`
        }
      >
        {rows.length === 0 ? (
          <EmptyState title="Neither environment has variables of its own" />
        ) : (
          <ActionForm action={promoteAction}>
            <input type="hidden" name="team" value={ctx.team.slug} />
            <input type="hidden" name="project" value={project.slug} />
            <input type="hidden" name="from" value={a.slug} />
            <input type="hidden" name="to" value={b.slug} />
            <table className="w-full text-sm" data-testid="compare">
              <thead className="text-left text-xs uppercase tracking-wide text-slate-500">
                <tr>
                  <th className="w-8 py-2" />
                  <th className="py-2">Key</th>
                  <th className="py-2">{a.name}</th>
                  <th className="py-2">{b.name}</th>
                  <th className="py-2 text-right">State</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {rows.map((r) => (
                  <tr key={r.key} data-testid={`cmp-${r.key}`}>
                    <td className="py-2">
                      {canPromote && r.inA && !r.same && <input type="checkbox" name="keys" value={r.key} aria-label={`Promote ${r.key}`} />}
                    </td>
                    <td className="py-2 font-mono text-xs font-medium">{r.key}</td>
                    <td className="py-2 font-mono text-xs text-slate-600">
                      {!r.inA ? <span className="text-slate-400">missing</span> : r.secret ? "••••••" : r.a}
                    </td>
                    <td className="py-2 font-mono text-xs text-slate-600">
                      {!r.inB ? <span className="text-slate-400">missing</span> : r.secret ? "••••••" : r.b}
                    </td>
                    <td className="py-2 text-right">
                      {r.same ? (
                        <Badge color="green">same</Badge>
                      ) : !r.inA || !r.inB ? (
                        <Badge color="amber">missing</Badge>
                      ) : (
                        <Badge color="red">differs</Badge>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {canPromote && <SubmitButton pendingLabel="Promoting…">Promote selected to {b.name}</SubmitButton>}
          </ActionForm>
        )}
      </Card>
    </>
  );
}
