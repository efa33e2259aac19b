// Pull request previews: a git service's preview settings, which secrets an environment's previews receive,
// members' git usernames (whose pull requests need no approval), and the previews themselves: list, approve
// a gated one's exact commit, close.
import { z } from "zod";
import { gitUsernamesInput, setGitUsernames } from "@/lib/data/git-usernames";
import { approvePreview, closePreview, listPreviews } from "@/lib/data/previews";
import { previewPlace } from "@/lib/data/preview-settings";
import { assertWithinGrant } from "@/lib/data/targets";
import { previewSecretKeysInput, setPreviewSecretKeys } from "@/lib/data/preview-secret-keys";
import { previewSettingsInput, updatePreviewSettings } from "@/lib/data/preview-settings";
import { id } from "@/lib/validation/fields";
import { teamOp, type Operation } from "../operation";
import { approvedPreview, closedPreview, gitUsernamesOutput, preview, previewSecretKeysOutput, previewSettingsOutput } from "../outputs/preview";

const service = z.object({ serviceId: id });
const environment = z.object({ project: id, env: id });

export const updatePreviewSettingsOp = teamOp({
  id: "services.previews.update",
  method: "PUT",
  path: "/teams/{team}/services/{serviceId}/previews",
  summary:
    "A git service's pull request previews: on or off, the environment each is cloned from (default the service's own), hours a preview lives after its last push (1–720), and a token that posts commit statuses (write-only; `clearStatusToken` removes it). A protected base environment takes an admin.",
  permission: "project.write",
  targets: (i) => [{ service: i.serviceId }],
  input: previewSettingsInput.extend(service.shape),
  output: previewSettingsOutput,
  run: (ctx, i) => updatePreviewSettings(ctx, i.serviceId, i),
});

export const setPreviewSecretKeysOp = teamOp({
  id: "environments.preview-secrets",
  method: "PUT",
  path: "/teams/{team}/projects/{project}/environments/{env}/preview-secrets",
  summary:
    "The secret keys this environment's pull request previews receive (every other secret is left out of them): names of secrets that reach the environment, at most 200. Admins and owners. Audited.",
  permission: "preview.secrets",
  targets: (i) => [{ environment: { project: i.project, env: i.env } }],
  input: previewSecretKeysInput.extend(environment.shape),
  output: previewSecretKeysOutput,
  run: (ctx, i) => setPreviewSecretKeys(ctx, i.project, i.env, { keys: i.keys }),
});

export const setGitUsernamesOp = teamOp({
  id: "members.git-usernames",
  method: "PUT",
  path: "/teams/{team}/members/{membershipId}/git-usernames",
  summary:
    'A member\'s usernames on git providers ("github:alice", "gitlab:alice", "gitea:alice"; at most 10): pull requests by developers (and above) from the service\'s own repository deploy previews without approval. Your own with any role; another member\'s as an admin or owner. Audited.',
  permission: "member.git-usernames",
  input: gitUsernamesInput,
  output: gitUsernamesOutput,
  run: (ctx, i) => setGitUsernames(ctx, i),
});

export const listPreviewsOp = teamOp({
  id: "previews.list",
  method: "GET",
  path: "/teams/{team}/previews",
  summary:
    "The pull request previews of a project (`project`, its slug) or of one git service (`serviceId`), open ones first: status (waiting for approval, deploying, ready, failed, closed), URL, head commit, whether it waits for an approval, and when its time-to-live ends.",
  permission: "project.read",
  targets: (i) => (i.serviceId ? [{ service: i.serviceId }] : [{ project: i.project! }]),
  input: z
    .object({ project: id.optional(), serviceId: id.optional() })
    .refine((i) => i.project || i.serviceId, { message: "Name a project or a service.", path: ["project"] }),
  output: z.object({ previews: z.array(preview) }),
  run: async (ctx, i) => ({ previews: await listPreviews(ctx, { projectSlug: i.project, serviceId: i.serviceId }) }),
});

const previewRef = z.object({ previewId: id });

/** A preview's pull request service, for a token limited to a project or environment (checked before acting). */
async function withinGrant(ctx: Parameters<typeof previewPlace>[0], previewId: string) {
  await assertWithinGrant(ctx, [{ service: await previewPlace(ctx, previewId) }]);
}

export const approvePreviewOp = teamOp({
  id: "previews.approve",
  method: "POST",
  path: "/teams/{team}/previews/{previewId}/approve",
  summary:
    "Approve one exact commit (`sha`, the preview's current head) of a gated pull request (from a fork, or by an author who is not a developer of the team): it is built and runs with the secrets its base environment allows. A later push needs a new approval. Developers and above; audited.",
  permission: "service.deploy",
  targets: "filtered",
  input: previewRef.extend({ sha: z.string({ error: "Name the commit you approve." }).trim().min(1, "Name the commit you approve.").max(64) }),
  output: approvedPreview,
  status: 201,
  run: async (ctx, i) => {
    await withinGrant(ctx, i.previewId);
    return approvePreview(ctx, i.previewId, i.sha);
  },
});

export const closePreviewOp = teamOp({
  id: "previews.close",
  method: "POST",
  path: "/teams/{team}/previews/{previewId}/close",
  summary:
    "Close a preview now: its deployments are cancelled and its environment, services, variables, containers, routes, networks and images removed (a new push or a reopened pull request makes it again). Developers and above; audited.",
  permission: "service.deploy",
  targets: "filtered",
  input: previewRef,
  output: closedPreview,
  run: async (ctx, i) => {
    await withinGrant(ctx, i.previewId);
    return closePreview(ctx, i.previewId);
  },
});

export const previewOps: Operation[] = [listPreviewsOp, approvePreviewOp, closePreviewOp, updatePreviewSettingsOp, setPreviewSecretKeysOp, setGitUsernamesOp];
