// Services: add one from an image or a git repository, change or delete it, deploy an environment's staged
// changes, and a git service's webhook secret, deploy key, connection test and SSH host key.
import { z } from "zod";
import { deployService } from "@/lib/data/deployments";
import { testGitConnection } from "@/lib/data/git-connection";
import { acceptGitHostKey } from "@/lib/data/git-host-keys";
import {
  createGitService,
  gitServiceInput,
  gitServiceView,
  regenerateDeployKey,
  revealWebhookSecret,
  rotateWebhookSecret,
  updateGitService,
  webhookUrl,
} from "@/lib/data/git-services";
import { getEnvironment } from "@/lib/data/projects";
import { createService, deleteService, getService, listServices, serviceInput, updateService } from "@/lib/data/services";
import type { TeamContext } from "@/lib/data/context";
import { NotFoundError } from "@/lib/errors";
import { publicKeyFingerprint } from "@/lib/git/deploy-key";
import { id } from "@/lib/validation/fields";
import { teamOp, type Operation } from "../operation";
import { deletedService, deployKey, gitConnectionTest, gitServiceSettings, imageServiceSettings, queuedDeployments, webhookSecret } from "../outputs/service";

/** An environment by its project's slug and its own. */
const environment = z.object({ project: id, env: id });
const service = z.object({ serviceId: id });
const inEnvironment = (i: z.output<typeof environment>) => [{ environment: { project: i.project, env: i.env } }];
const ofService = (i: z.output<typeof service>) => [{ service: i.serviceId }];

/** A git service's settings as its page shows them, found by id. */
async function gitSettings(ctx: TeamContext, serviceId: string) {
  const s = await getService(ctx, serviceId);
  return gitServiceView(ctx, s.environment.project.slug, s.environment.slug, s.name);
}

export const createImageServiceOp = teamOp({
  id: "services.create",
  method: "POST",
  path: "/teams/{team}/projects/{project}/environments/{env}/services",
  summary:
    "Add a service that runs an image: ports (`8080:80/tcp`, or objects), named volumes (`data:/var/lib/data[:ro]`), an optional HTTP port behind the host's proxy with its health check and domains. Deploy it when its configuration is ready.",
  permission: "project.write",
  targets: inEnvironment,
  input: serviceInput.extend(environment.shape),
  output: imageServiceSettings,
  status: 201,
  run: async (ctx, i) => getService(ctx, (await createService(ctx, i.project, i.env, i)).id),
});

export const createGitServiceOp = teamOp({
  id: "services.create-git",
  method: "POST",
  path: "/teams/{team}/projects/{project}/environments/{env}/git-services",
  summary:
    "Add a service built from a git repository's branch (its Dockerfile), reached without credentials, with a deploy key Berth makes (`ssh`: add the answer's `gitPublicKey` to the repository) or an access token (`token`).",
  permission: "project.write",
  targets: inEnvironment,
  input: gitServiceInput.extend(environment.shape),
  output: gitServiceSettings,
  status: 201,
  run: async (ctx, i) => gitServiceView(ctx, i.project, i.env, (await createGitService(ctx, i.project, i.env, i)).name),
});

export const updateImageServiceOp = teamOp({
  id: "services.update",
  method: "PUT",
  path: "/teams/{team}/services/{serviceId}",
  summary:
    "Replace an image service's settings (fields left out take their defaults). Applies on its next deployment; a new host moves it once a release runs there.",
  permission: "project.write",
  targets: ofService,
  input: serviceInput.omit({ name: true }).extend(service.shape),
  output: imageServiceSettings,
  run: async (ctx, i) => {
    await updateService(ctx, i.serviceId, i);
    return getService(ctx, i.serviceId);
  },
});

export const updateGitServiceOp = teamOp({
  id: "services.update-git",
  method: "PUT",
  path: "/teams/{team}/services/{serviceId}/git",
  summary: "Replace a git service's settings (fields left out take their defaults; an access token left out is kept). The next deployment uses them.",
  permission: "project.write",
  targets: ofService,
  input: gitServiceInput.omit({ name: true }).extend(service.shape),
  output: gitServiceSettings,
  run: async (ctx, i) => {
    await updateGitService(ctx, i.serviceId, i);
    return gitSettings(ctx, i.serviceId);
  },
});

export const deleteServiceOp = teamOp({
  id: "services.delete",
  method: "DELETE",
  path: "/teams/{team}/services/{serviceId}",
  summary: "Delete a service of either kind: its unfinished deployments are cancelled and its host removes its containers, route and images.",
  permission: "project.write",
  targets: ofService,
  input: service,
  output: deletedService,
  run: (ctx, i) => deleteService(ctx, i.serviceId),
});

/** Ids as a JSON list or a form's comma-separated text; each once. */
const serviceIds = z.preprocess(
  (v) =>
    typeof v === "string"
      ? v
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean)
      : v,
  z
    .array(id, { error: "List the services to deploy." })
    .min(1, "List the services to deploy.")
    .max(100, "At most 100 services at once.")
    .transform((ids) => [...new Set(ids)]),
);

export const deployServicesOp = teamOp({
  id: "services.deploy-many",
  method: "POST",
  path: "/teams/{team}/projects/{project}/environments/{env}/deployments",
  summary:
    "Deploy several services of one environment as they are configured now (e.g. those whose configuration changed): one deployment each, in the order given.",
  permission: "service.deploy",
  targets: (i) => [...inEnvironment(i), ...i.serviceIds.map((s) => ({ service: s }))],
  input: environment.extend({ serviceIds }),
  output: queuedDeployments,
  status: 201,
  run: async (ctx, i) => {
    const { env } = await getEnvironment(ctx, i.project, i.env);
    const here = new Set((await listServices(ctx, env.id)).map((s) => s.id));
    const stranger = i.serviceIds.find((s) => !here.has(s));
    if (stranger) throw new NotFoundError(`Service ${stranger} is not one of ${env.name}'s.`);
    const deployments = [];
    for (const serviceId of i.serviceIds) deployments.push({ serviceId, ...(await deployService(ctx, serviceId)) });
    return { deployments };
  },
});

// The webhook secret is a credential (whoever holds it can trigger deployments): both answers are audited.
export const revealWebhookSecretOp = teamOp({
  id: "services.webhook-secret",
  method: "POST",
  path: "/teams/{team}/services/{serviceId}/webhook/reveal",
  summary: "A git service's webhook address and the secret its deliveries are signed with, to paste into the git host. Audited.",
  permission: "service.webhook-secret",
  targets: ofService,
  input: service,
  output: webhookSecret,
  run: async (ctx, i) => ({ url: webhookUrl(i.serviceId), secret: await revealWebhookSecret(ctx, i.serviceId) }),
});

export const rotateWebhookSecretOp = teamOp({
  id: "services.webhook-secret.rotate",
  method: "POST",
  path: "/teams/{team}/services/{serviceId}/webhook/rotate",
  summary: "A new webhook secret: deliveries signed with the old one are refused from now on. Answers the new one, once.",
  permission: "project.write",
  targets: ofService,
  input: service,
  output: webhookSecret,
  run: async (ctx, i) => ({ url: webhookUrl(i.serviceId), secret: await rotateWebhookSecret(ctx, i.serviceId) }),
});

export const regenerateDeployKeyOp = teamOp({
  id: "services.deploy-key.regenerate",
  method: "POST",
  path: "/teams/{team}/services/{serviceId}/deploy-key",
  summary:
    "A new SSH deploy key for a git service (it then uses ssh access): add the public key to the repository; the old one stops working once removed there.",
  permission: "project.write",
  targets: ofService,
  input: service,
  output: deployKey,
  run: async (ctx, i) => {
    const { publicKey } = await regenerateDeployKey(ctx, i.serviceId);
    return { publicKey, fingerprint: publicKeyFingerprint(publicKey) };
  },
});

export const testGitConnectionOp = teamOp({
  id: "services.git-connection.test",
  method: "POST",
  path: "/teams/{team}/services/{serviceId}/git/test",
  summary:
    "Test connection: the service's host runs git ls-remote of its branch with its credential and pinned host keys. Answers the commit, or the failure explained (`ok: false`). Audited.",
  permission: "project.write",
  targets: ofService,
  input: service,
  output: gitConnectionTest,
  run: (ctx, i) => testGitConnection(ctx, i.serviceId),
});

export const acceptGitHostKeyOp = teamOp({
  id: "services.git-host-key.accept",
  method: "POST",
  path: "/teams/{team}/services/{serviceId}/git/host-key",
  summary:
    "Trust the SSH host key the git server offers instead of the pinned one. `offer` is its fingerprints as you compared them (space-separated): refused if the offer changed since.",
  permission: "service.git-host-key",
  targets: ofService,
  input: service.extend({
    offer: z.string({ error: "Give the offered key's fingerprint you compared." }).max(4096),
  }),
  output: z.void(),
  status: 204,
  run: (ctx, i) => acceptGitHostKey(ctx, i.serviceId, i.offer),
});

export const serviceOps: Operation[] = [
  createImageServiceOp,
  createGitServiceOp,
  updateImageServiceOp,
  updateGitServiceOp,
  deleteServiceOp,
  deployServicesOp,
  revealWebhookSecretOp,
  rotateWebhookSecretOp,
  regenerateDeployKeyOp,
  testGitConnectionOp,
  acceptGitHostKeyOp,
];
