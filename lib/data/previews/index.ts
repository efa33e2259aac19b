// Pull request previews: the lifecycle the git webhook drives, and what members do with previews.
export { approvePreview } from "./approve";
export { closePreview, teardownPreview } from "./close";
export { receivePullRequest } from "./lifecycle";
export { listPreviews } from "./list";
export { reapExpiredPreviews } from "./reap";
export { previewDeploymentEnded, statusOfDeployment, type PreviewStatus } from "./status";
