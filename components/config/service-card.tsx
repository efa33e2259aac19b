// One service of an environment: what runs where and which release is live, its effective configuration
// (each value's source, secrets masked), reference errors, and whether a change is waiting for a redeploy.
// Both kinds deploy as deployments (steps, log, releases) and link to the same service page.
import { ActionForm, type FormAction } from "@/components/ui/action-form";
import { Alert } from "@/components/ui/alert";
import { SubmitButton } from "@/components/ui/button";
import { Badge, Card } from "@/components/ui/card";
import { RelativeTime } from "@/components/time";
import type { MaskedVar, StagedChange } from "@/lib/data/resolved-config";
import type { ResolveError } from "@/lib/config/resolve";
import Link from "next/link";
import { DeploymentStatusBadge } from "@/components/deploy/status-badge";
import type { DeploymentStatus } from "@/lib/generated/prisma/enums";

const SOURCE_COLOR = { team: "purple", project: "blue", environment: "green", service: "amber" } as const;

export function ServiceCard({
  hidden,
  service,
  resolved,
  canChange,
  actions,
}: {
  /** The page's server actions for deploying either kind and deleting. */
  actions: { deployGit: FormAction; deployImage: FormAction; remove: FormAction };
  hidden: Record<string, string>;
  service: {
    id: string;
    name: string;
    image: string;
    host: { name: string; status: string } | null;
    ports: unknown;
    source: string;
    gitUrl: string | null;
    gitBranch: string | null;
    liveDeployment: { number: number; commitSha: string | null; image: string | null; imageId: string | null } | null;
    /** What the host's agent last found when the live release is not what serves (null: it serves). */
    servingProblem?: string | null;
    deployments: { id: string; number: number; status: DeploymentStatus }[];
    dockerVolumes?: { source: string; target: string; readOnly: boolean; dockerName: string }[];
  };
  resolved: { vars: MaskedVar[]; errors: ResolveError[]; staged: StagedChange | null; pending: boolean; deployedAt: Date | null };
  canChange: boolean;
}) {
  const fields = { ...hidden, serviceId: service.id, service: service.name };
  const inputs = Object.entries(fields).map(([k, v]) => <input key={k} type="hidden" name={k} value={v} />);
  const git = service.source === "git";
  const latest = service.deployments[0];
  const page = `/t/${hidden.team}/projects/${hidden.project}/${hidden.env}/services/${service.name}`;
  const where = service.host ? `${service.host.name}${service.host.status !== "ONLINE" ? " (offline)" : ""}` : "no host chosen";
  const live = service.liveDeployment;
  // What the live release is: its commit, or the image id it pulled (the reference may name another image since).
  const release = (live && (git ? live.commitSha?.slice(0, 7) : live.imageId?.slice(7, 19))) || "?";
  return (
    <div data-testid={`service-${service.name}`}>
      <Card
        title={
          <Link href={page} className="hover:underline">
            {service.name}
          </Link>
        }
        description={
          <span className="inline-flex flex-wrap items-center gap-1.5">
            {git ? (
              <>
                <span className="font-mono">{service.gitUrl}</span> @ <span className="font-mono">{service.gitBranch}</span>
              </>
            ) : (
              <span className="font-mono">{service.image}</span>
            )}{" "}
            on {where} · <span data-testid="live-release">{live ? `live #${live.number} (${release})` : "not live yet"}</span>
            {live && resolved.deployedAt && (
              <span className="text-slate-400">
                {" "}
                since <RelativeTime date={resolved.deployedAt} />
              </span>
            )}
            {live && service.servingProblem && (
              <span className="inline-flex items-center gap-1 text-red-700" data-testid="not-serving">
                · <Badge color="red">not serving</Badge> {service.servingProblem}
              </span>
            )}
            {latest && latest.number !== live?.number && (
              <Link href={`/t/${hidden.team}/deployments/${latest.id}`} className="inline-flex items-center gap-1" data-testid="latest-deployment">
                · #{latest.number} <DeploymentStatusBadge status={latest.status} />
              </Link>
            )}
          </span>
        }
        actions={
          canChange ? (
            <div className="flex items-start gap-2">
              <Link href={page} className="rounded-md px-3 py-2 text-sm ring-1 ring-inset ring-slate-300 hover:bg-slate-50">
                Deployments
              </Link>
              <ActionForm action={git ? actions.deployGit : actions.deployImage} className="flex flex-col items-end gap-1">
                {inputs}
                <SubmitButton pendingLabel="Queuing…" disabled={resolved.errors.length > 0}>
                  {git || !live ? "Deploy" : "Redeploy"}
                </SubmitButton>
              </ActionForm>
              <ActionForm
                action={actions.remove}
                confirm={
                  git
                    ? `Delete service ${service.name}? Its containers, its URL and its release images are removed from its host too.`
                    : `Delete service ${service.name}? Its running container is left alone.`
                }
                showMessage={false}
              >
                {inputs}
                <SubmitButton variant="ghost" pendingLabel="…">
                  Delete
                </SubmitButton>
              </ActionForm>
            </div>
          ) : undefined
        }
      >
        {!git && service.dockerVolumes && service.dockerVolumes.length > 0 && (
          <p className="mb-3 text-xs text-slate-500" data-testid="volumes">
            Volumes:{" "}
            {service.dockerVolumes.map((v, i) => (
              <span key={v.source}>
                {i > 0 && ", "}
                {v.source} at <span className="font-mono">{v.target}</span>
                {v.readOnly ? " (read-only)" : ""}, Docker volume <span className="font-mono">{v.dockerName}</span>
              </span>
            ))}
          </p>
        )}
        {resolved.errors.length > 0 && (
          <div className="mb-3">
            <Alert tone="error">
              Configuration errors, nothing can be deployed until they are fixed:
              <ul className="mt-1 list-disc pl-5">
                {resolved.errors.map((e) => (
                  <li key={e.key} className="font-mono text-xs">
                    {e.message}
                  </li>
                ))}
              </ul>
            </Alert>
          </div>
        )}
        {resolved.pending && resolved.staged && (
          <div className="mb-3" data-testid="staged">
            <Alert tone="warning">
              Configuration changed, redeploy to apply:{" "}
              {[
                ...resolved.staged.added.map((k) => `+ ${k}`),
                ...resolved.staged.changed.map((k) => `~ ${k}`),
                ...resolved.staged.removed.map((k) => `− ${k}`),
              ].join(", ")}
            </Alert>
          </div>
        )}
        {resolved.vars.length === 0 ? (
          <p className="text-sm text-slate-500">No variables reach this service.</p>
        ) : (
          <table className="w-full text-xs" data-testid="resolved">
            <tbody className="divide-y divide-slate-100">
              {resolved.vars.map((v) => (
                <tr key={v.key}>
                  <td className="w-1/3 py-1.5 pr-3 font-mono font-medium text-slate-800">{v.key}</td>
                  <td className="break-all py-1.5 pr-3 font-mono text-slate-600">{v.value ?? <span title="secret">••••••••</span>}</td>
                  <td className="py-1.5 text-right">
                    <Badge color={SOURCE_COLOR[v.source]}>{v.source}</Badge>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
    </div>
  );
}
