// Validation of a git source as users type it. The API checks it on save and the host agent checks it
// again before passing the values to git as an argument array (never through a shell).
export { validateRepoUrl, type RepoProtocol, type RepoUrlResult } from "./url";
export { validateRef, validateCommitSha, type RefResult, type ShaResult } from "./ref";
export { validateSubdirectory, validateDockerfilePath, type PathResult } from "./paths";
export { GIT_ENV, GIT_ENV_LOCAL, gitProcessEnv } from "./env";
