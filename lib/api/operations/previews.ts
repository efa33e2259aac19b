// Pull request previews: a git service's preview settings, which secrets an environment's previews receive,
// members' git usernames (whose pull requests need no approval), and the previews themselves: list, approve
// a gated one's exact commit, close.
import { z } from "zod";
import { gitUsernamesInput, setGitUsernames } from "@/lib/data/git-usernames";
import { previewSecretKeysInput, setPreviewSecretKeys } from "@/lib/data/preview-secret-keys";
import { previewSettingsInput, updatePreviewSettings } from "@/lib/data/preview-settings";
import { id } from "@/lib/validation/fields";
import { teamOp, type Operation } from "../operation";
import { gitUsernamesOutput, previewSecretKeysOutput, previewSettingsOutput } from "../outputs/preview";

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
    'A member\'s usernames on git providers ("github:alice", "gitlab:alice", "gitea:alice"; at most 10): their pull requests from the service\'s own repository deploy previews without approval. Your own with any role; another member\'s as an admin or owner. Audited.',
  permission: "member.git-usernames",
  input: gitUsernamesInput,
  output: gitUsernamesOutput,
  run: (ctx, i) => setGitUsernames(ctx, i),
});

export const previewOps: Operation[] = [updatePreviewSettingsOp, setPreviewSecretKeysOp, setGitUsernamesOp];
