// One preview with what its lifecycle steps need, for the webhook (by service and number) and for the
// member-facing operations (by id, within the caller's team: another team's preview is "not found").
import { db, type Tx } from "@/lib/db";
import { NotFoundError } from "@/lib/errors";
import type { PreviewForDeploy } from "./deploy";

export const previewSelect = {
  id: true,
  teamId: true,
  provider: true,
  number: true,
  headSha: true,
  environmentId: true,
  fromFork: true,
  authorIsMember: true,
  approvedSha: true,
  status: true,
  team: { select: { id: true, slug: true, name: true } },
  service: {
    select: {
      id: true,
      name: true,
      hostId: true,
      environmentId: true,
      previewBaseEnvironmentId: true,
      environment: { select: { project: { select: { name: true } } } },
    },
  },
} as const;

type Row = NonNullable<Awaited<ReturnType<typeof loadPreview>>>;

export async function loadPreview(client: Tx | typeof db, where: { id: string; teamId?: string }) {
  return client.preview.findFirst({ where, select: previewSelect });
}

export async function previewInTeam(teamId: string, id: string) {
  const p = await loadPreview(db, { id: String(id), teamId });
  if (!p) throw new NotFoundError("Preview not found");
  return p;
}

export function forDeploy(p: Row): PreviewForDeploy {
  return { ...p, projectName: p.service.environment.project.name };
}

/** A pull request from a fork or from someone who is not a developer of the team waits for an approval of its exact head. */
export const needsApproval = (p: { fromFork: boolean; authorIsMember: boolean; approvedSha: string | null; headSha: string }) =>
  (p.fromFork || !p.authorIsMember) && p.approvedSha !== p.headSha;
