// Where a git provider takes a commit status for a repository Berth builds, worked out from the service's
// repository URL (pure). github.com's API is api.github.com; GitLab and Gitea/Forgejo serve theirs on the
// repository's own host (https, the URL's port when the URL is https).

export type GitProvider = "github" | "gitlab" | "gitea";
export type StatusState = "pending" | "success" | "failure";

/** The host (with a port when not 443) and the repository path ("owner/repo", groups kept) a URL names. */
export function repoLocation(gitUrl: string): { host: string; path: string } | null {
  const scp = /^[^@/:]+@([^/:]+):(.+)$/.exec(gitUrl);
  const url = scp ? null : /^(https|ssh):\/\/(?:[^@/]+@)?([^/:]+)(?::(\d+))?\/(.+)$/.exec(gitUrl);
  const hostname = (scp ? scp[1] : url?.[2])?.toLowerCase();
  const rawPath = scp ? scp[2] : url?.[4];
  if (!hostname || !rawPath) return null;
  const path = rawPath.replace(/\/+$/, "").replace(/\.git$/, "");
  if (!/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)+$/.test(path)) return null;
  const port = url?.[1] === "https" && url[3] && url[3] !== "443" ? `:${url[3]}` : "";
  return { host: `${hostname}${port}`, path };
}

/** The API host a status for this repository goes to (what the outbound rules check). */
export function statusApiHost(gitUrl: string): string | null {
  const at = repoLocation(gitUrl);
  if (!at) return null;
  return at.host === "github.com" ? "api.github.com" : at.host;
}

/** The request that sets `state` on `sha`: its URL, the authorisation header and the JSON body. */
export function statusRequest(
  provider: GitProvider,
  gitUrl: string,
  sha: string,
  status: { state: StatusState; targetUrl: string; description: string; context: string },
  token: string,
): { url: string; headers: Record<string, string>; body: Record<string, string> } | null {
  const at = repoLocation(gitUrl);
  if (!at || !/^[0-9a-f]{7,64}$/i.test(sha)) return null;
  const description = status.description.slice(0, 140);
  switch (provider) {
    case "github": {
      const api = at.host === "github.com" ? "https://api.github.com" : `https://${at.host}/api/v3`;
      return {
        url: `${api}/repos/${at.path}/statuses/${sha}`,
        headers: { authorization: `Bearer ${token}`, accept: "application/vnd.github+json" },
        body: { state: status.state, target_url: status.targetUrl, description, context: status.context },
      };
    }
    case "gitlab":
      // GitLab names the project by its URL-encoded path; its states are pending/running/success/failed.
      return {
        url: `https://${at.host}/api/v4/projects/${encodeURIComponent(at.path)}/statuses/${sha}`,
        headers: { "private-token": token },
        body: { state: status.state === "failure" ? "failed" : status.state, target_url: status.targetUrl, description, name: status.context },
      };
    case "gitea":
      return {
        url: `https://${at.host}/api/v1/repos/${at.path}/statuses/${sha}`,
        headers: { authorization: `token ${token}` },
        body: { state: status.state, target_url: status.targetUrl, description, context: status.context },
      };
    default: {
      const never: never = provider;
      throw new Error(`unknown provider ${String(never)}`);
    }
  }
}
