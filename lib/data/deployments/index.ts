// Deployments of both kinds of service: creation (deploy, rollback, promote, webhook), scheduling, agent reports, leases, reads.
export { deployFromGit, rollbackTo, promoteRelease, nudgeScheduler } from "./create";
export { deployImage, deployService } from "./create-image";
export { cancelDeployment } from "./cancel";
export { dispatchAndTell, dispatchDeployments } from "./dispatch";
export { applyDeploymentReport, applyReleaseReport, type DeploymentOutcome } from "./report";
export { expireLeases, leaseMs } from "./lease";
export { listDeployments, getDeployment, deploymentLog, parseLogCursor, type LogCursor } from "./queries";
export { receivePushWebhook } from "./webhook";
