// The project's pull request previews on its environment list: each pull request with its author, whether it
// comes from a fork, its status and URL, its head commit and the time it has left; a gated one's Approve
// button names the exact commit it lets run, with the secrets its base environment allows.
import { relative } from "@/components/time";
import { ActionForm, type FormAction } from "@/components/ui/action-form";
import { SubmitButton } from "@/components/ui/button";
import { Badge } from "@/components/ui/card";

export type PreviewRow = {
  id: string;
  provider: string;
  number: number;
  title: string;
  author: string;
  headSha: string;
  fromFork: boolean;
  authorIsMember: boolean;
  needsApproval: boolean;
  status: string;
  url: string | null;
  service: { name: string; environmentSlug: string };
  environment: { name: string; slug: string } | null;
  expiresAt: Date | null;
};

const STATUS: Record<string, { label: string; color: "amber" | "blue" | "green" | "red" | "gray" }> = {
  waiting: { label: "waiting for approval", color: "amber" },
  deploying: { label: "deploying", color: "blue" },
  ready: { label: "ready", color: "green" },
  failed: { label: "failed", color: "red" },
  closed: { label: "closed", color: "gray" },
};

export function PreviewsSection({
  previews,
  team,
  base,
  canAct,
  approve,
  close,
  live,
}: {
  previews: PreviewRow[];
  team: string;
  /** The project's page path (environment links hang off it). */
  base: string;
  canAct: boolean;
  approve: FormAction;
  close: FormAction;
  /** Shown beside the heading (the page's live indicator). */
  live?: React.ReactNode;
}) {
  const open = previews.filter((p) => p.status !== "closed");
  return (
    <section id="previews" className="mt-8" data-testid="previews">
      <div className="mb-1 flex items-center justify-between gap-3">
        <h2 className="text-lg font-semibold">Previews</h2>
        {live}
      </div>
      <p className="mb-3 text-sm text-slate-500">
        One environment per open pull request of a git service with previews turned on (in its settings). Pull requests from forks or from authors who are not
        developers of the team wait for a developer to approve their exact commit.
      </p>
      {open.length === 0 ? (
        <p className="rounded-lg border border-dashed border-slate-300 bg-white px-4 py-6 text-center text-sm text-slate-500">No open pull request previews.</p>
      ) : (
        <ul className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white shadow-sm">
          {open.map((p) => {
            const status = STATUS[p.status] ?? { label: p.status, color: "gray" as const };
            const sha = p.headSha.slice(0, 7);
            return (
              <li key={p.id} className="space-y-2 px-4 py-3" data-testid={`preview-${p.number}`} data-status={p.status}>
                <div className="flex flex-wrap items-start justify-between gap-3">
                  <div className="min-w-0">
                    <p className="truncate text-sm font-medium">
                      <span className="text-slate-500">#{p.number}</span> {p.title}
                    </p>
                    <p className="mt-0.5 flex flex-wrap items-center gap-x-2 gap-y-1 text-xs text-slate-500">
                      <span>by {p.author}</span>
                      {p.fromFork && <Badge color="purple">fork</Badge>}
                      {!p.authorIsMember && <Badge>not a team developer</Badge>}
                      <span>
                        · {p.service.name} · commit <span className="font-mono">{sha}</span>
                      </span>
                      {p.environment && (
                        <a href={`${base}/${p.environment.slug}`} className="text-brand-600 hover:underline">
                          {p.environment.name}
                        </a>
                      )}
                      {p.expiresAt && <span title={p.expiresAt.toUTCString()}>· removed {relative(p.expiresAt)}</span>}
                    </p>
                  </div>
                  <div className="flex items-center gap-2">
                    <Badge color={status.color}>{status.label}</Badge>
                    {canAct && (
                      <ActionForm
                        action={close}
                        className="inline-flex"
                        confirm={`Close the preview of #${p.number}? Its environment and what runs for it are removed.`}
                      >
                        <input type="hidden" name="team" value={team} />
                        <input type="hidden" name="previewId" value={p.id} />
                        <SubmitButton variant="ghost" pendingLabel="Closing…">
                          Close
                        </SubmitButton>
                      </ActionForm>
                    )}
                  </div>
                </div>
                {p.status === "ready" && p.url && (
                  <a href={p.url} target="_blank" rel="noreferrer" className="block font-mono text-sm text-brand-600 hover:underline" data-testid="preview-url">
                    {p.url}
                  </a>
                )}
                {p.needsApproval && (
                  <div className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
                    <p>
                      {p.fromFork ? "From a fork" : "By an author who is not a developer of the team"}: nothing runs until a developer approves commit{" "}
                      <span className="font-mono">{sha}</span>. Approving runs that commit&apos;s code with the secrets its base environment allows for
                      previews; a later push needs a new approval.
                    </p>
                    {canAct ? (
                      <ActionForm action={approve} className="mt-2" confirm={`Run commit ${sha} of #${p.number} with the secrets allowed in previews?`}>
                        <input type="hidden" name="team" value={team} />
                        <input type="hidden" name="previewId" value={p.id} />
                        <input type="hidden" name="sha" value={p.headSha} />
                        <SubmitButton pendingLabel="Approving…">Approve {sha}</SubmitButton>
                      </ActionForm>
                    ) : (
                      <p className="mt-1 text-xs">Developers and above approve.</p>
                    )}
                  </div>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
