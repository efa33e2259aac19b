// Deployments: list, read, deploy, cancel, roll back, promote, and the live log.
import { z } from "zod";
import { cancelDeployment, deployService, getDeployment, listDeployments, promoteRelease, rollbackTo } from "@/lib/data/deployments";
import { id } from "@/lib/validation/fields";
import { createdDeployment, deploymentDetail, deploymentSummary } from "../outputs/deployment";
import { teamOp, type Operation } from "../operation";
import { deploymentLogStream } from "../streams/deployment-log";

const service = z.object({ serviceId: id });
const deployment = z.object({ deploymentId: id });

export const listDeploymentsOp = teamOp({
  id: "deployments.list",
  method: "GET",
  path: "/teams/{team}/services/{serviceId}/deployments",
  summary: "A service's deployments, newest first (the last 30).",
  permission: "project.read",
  targets: (i) => [{ service: i.serviceId }],
  input: service,
  output: z.object({ deployments: z.array(deploymentSummary) }),
  run: async (ctx, i) => ({ deployments: await listDeployments(ctx, i.serviceId) }),
});

export const deployOp = teamOp({
  id: "deployments.create",
  method: "POST",
  path: "/teams/{team}/services/{serviceId}/deployments",
  summary: "Deploy the service as it is configured now: a git service builds its branch, an image service pulls its image.",
  permission: "service.deploy",
  targets: (i) => [{ service: i.serviceId }],
  input: service,
  output: createdDeployment,
  status: 201,
  run: (ctx, i) => deployService(ctx, i.serviceId),
});

export const getDeploymentOp = teamOp({
  id: "deployments.get",
  method: "GET",
  path: "/teams/{team}/deployments/{deploymentId}",
  summary: "One deployment: status, timed steps, queue position, commit, error.",
  permission: "project.read",
  targets: (i) => [{ deployment: i.deploymentId }],
  input: deployment,
  output: deploymentDetail,
  run: (ctx, i) => getDeployment(ctx, i.deploymentId),
});

export const deploymentLogOp = teamOp({
  id: "deployments.log",
  method: "GET",
  path: "/teams/{team}/deployments/{deploymentId}/log",
  summary:
    "The deployment's log as server-sent events: one event per line (its id is a cursor for `after` or Last-Event-ID), `status` for every step begun (from the first, before the lines read with it), `end` with the outcome.",
  permission: "project.read",
  targets: (i) => [{ deployment: i.deploymentId }],
  input: deployment.extend({ after: z.string().max(64).optional() }),
  output: z.never(),
  produces: "text/event-stream",
  headerInputs: { "last-event-id": "after" },
  run: (ctx, i, call) => deploymentLogStream(ctx, i.deploymentId, i.after ?? null, call.signal),
});

export const cancelDeploymentOp = teamOp({
  id: "deployments.cancel",
  method: "POST",
  path: "/teams/{team}/deployments/{deploymentId}/cancel",
  summary: "Cancel a queued or running deployment. `ended` is false while the host is still stopping it.",
  permission: "service.deploy",
  targets: (i) => [{ deployment: i.deploymentId }],
  input: deployment,
  output: z.object({ ended: z.boolean() }),
  run: (ctx, i) => cancelDeployment(ctx, i.deploymentId),
});

export const rollbackOp = teamOp({
  id: "deployments.rollback",
  method: "POST",
  path: "/teams/{team}/deployments/{deploymentId}/rollback",
  summary: "Run this release again, with the configuration it ran with: a new deployment.",
  permission: "service.deploy",
  targets: (i) => [{ deployment: i.deploymentId }],
  input: deployment,
  output: createdDeployment,
  status: 201,
  run: (ctx, i) => rollbackTo(ctx, i.deploymentId),
});

export const promoteOp = teamOp({
  id: "deployments.promote",
  method: "POST",
  path: "/teams/{team}/deployments/{deploymentId}/promote",
  summary: "Run this release's image in another environment's service of the same name, with that environment's configuration.",
  permission: "service.deploy",
  targets: (i) => [{ deployment: i.deploymentId }, { environmentId: i.environmentId }],
  input: deployment.extend({
    environmentId: z.string({ error: "Choose the environment to promote to." }).min(1, "Choose the environment to promote to.").max(64),
  }),
  output: createdDeployment,
  status: 201,
  run: (ctx, i) => promoteRelease(ctx, i.deploymentId, i.environmentId),
});

export const deploymentOps: Operation[] = [listDeploymentsOp, deployOp, getDeploymentOp, deploymentLogOp, cancelDeploymentOp, rollbackOp, promoteOp];
