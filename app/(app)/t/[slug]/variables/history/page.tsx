import Link from "next/link";
import { notFound } from "next/navigation";
import { PageHeader } from "@/components/shell/page-header";
import { RelativeTime } from "@/components/time";
import { ActionForm } from "@/components/ui/action-form";
import { SubmitButton } from "@/components/ui/button";
import { Badge, Card, EmptyState } from "@/components/ui/card";
import { requireTeam } from "@/lib/auth/session";
import { ownerRefOf, variableHistory } from "@/lib/data/variables";
import { NotFoundError } from "@/lib/errors";
import { safeNext } from "@/lib/http/safe-next";
import { restoreEnvironmentVariableAction, restoreProjectVariableAction, restoreServiceVariableAction, restoreTeamVariableAction } from "../actions";

/** Each place's restore, by the scope the history link names. */
const RESTORE = {
  TEAM: restoreTeamVariableAction,
  PROJECT: restoreProjectVariableAction,
  ENVIRONMENT: restoreEnvironmentVariableAction,
  SERVICE: restoreServiceVariableAction,
};

type Search = { scope?: string; ownerId?: string; project?: string; env?: string; key?: string; back?: string };

export default async function VariableHistoryPage({ params, searchParams }: { params: Promise<{ slug: string }>; searchParams: Promise<Search> }) {
  const ctx = await requireTeam((await params).slug);
  const s = await searchParams;
  const ref = (() => {
    try {
      return ownerRefOf(s.scope, s.ownerId);
    } catch {
      return null;
    }
  })();
  if (!ref || !s.key) notFound();
  const versions = await variableHistory(ctx, ref, s.key).catch((e) => (e instanceof NotFoundError ? notFound() : Promise.reject(e)));
  const back = safeNext(s.back, `/t/${ctx.team.slug}`);
  const path = `/t/${ctx.team.slug}/variables/history?${new URLSearchParams(s as Record<string, string>)}`;
  return (
    <>
      <Link href={back} className="text-sm text-slate-500 hover:text-slate-800">
        ← Back
      </Link>
      <PageHeader title={`History of ${s.key}`} description="Every change, newest first. Restoring puts an earlier value back as a new change." />
      <Card>
        {versions.length === 0 ? (
          <EmptyState title="No history for this key" />
        ) : (
          <ol className="divide-y divide-slate-100" data-testid="history">
            {versions.map((v, i) => (
              <li key={v.id} className="flex flex-wrap items-center justify-between gap-3 py-2.5 text-sm">
                <span className="min-w-0">
                  <Badge color={v.action === "delete" ? "red" : v.action === "restore" ? "purple" : "blue"}>{v.action}</Badge>{" "}
                  {v.action === "delete" ? (
                    <span className="text-slate-500">deleted</span>
                  ) : v.secret ? (
                    <span className="text-slate-500">secret value changed</span>
                  ) : (
                    <code className="break-all text-xs">{v.value}</code>
                  )}
                  {i === 0 && v.action !== "delete" && (
                    <span className="ml-2">
                      <Badge color="green">current</Badge>
                    </span>
                  )}
                  <span className="ml-2 text-xs text-slate-500">
                    by {v.actorEmail}, <RelativeTime date={v.createdAt} />
                  </span>
                </span>
                {i > 0 && v.action !== "delete" && (
                  <ActionForm action={RESTORE[ref.scope]} className="flex items-center gap-2">
                    <input type="hidden" name="team" value={ctx.team.slug} />
                    <input type="hidden" name="scope" value={ref.scope} />
                    <input type="hidden" name="ownerId" value={s.ownerId ?? ""} />
                    {/* A project's or environment's place, by slugs (the variable editor's history link carries them). */}
                    {s.project && <input type="hidden" name="project" value={s.project} />}
                    {s.env && <input type="hidden" name="env" value={s.env} />}
                    <input type="hidden" name="versionId" value={v.id} />
                    <input type="hidden" name="path" value={path} />
                    <SubmitButton variant="secondary" pendingLabel="Restoring…">
                      Restore
                    </SubmitButton>
                  </ActionForm>
                )}
              </li>
            ))}
          </ol>
        )}
      </Card>
    </>
  );
}
