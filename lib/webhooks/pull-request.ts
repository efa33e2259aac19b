// Turning a verified pull/merge request webhook into what a preview needs. Only call this after
// verifyWebhook: the body is attacker-controlled until then, and even after it the pull request's author,
// branch and fork are whatever a stranger chose, so every field is checked before it is used.
import { validateCommitSha, validateRef } from "@/lib/git/validate";
import { header, type HeaderSource } from "./headers";
import type { Provider } from "./verify";

export type PullRequestAction = "opened" | "synchronize" | "reopened" | "closed";
export type PullRequestEvent = {
  provider: "github" | "gitlab" | "gitea";
  action: PullRequestAction;
  merged: boolean;
  number: number;
  title: string;
  /** Provider-qualified, lowercased: "github:alice". */
  author: string;
  baseRef: string;
  headRef: string;
  headSha: string;
  fromFork: boolean;
  /** Where the head lives (the fork's URL for a fork): shown, never cloned. */
  headRepoCloneUrl: string | null;
  deliveryId: string | null;
};
export type PullRequestResult = { ok: true; event: PullRequestEvent } | { ok: false; reason: string };

const EVENT_HEADER = { github: "x-github-event", gitlab: "x-gitlab-event", gitea: "x-gitea-event" } as const;
const PR_EVENT = { github: "pull_request", gitlab: "Merge Request Hook", gitea: "pull_request" } as const;
const DELIVERY = { github: "x-github-delivery", gitlab: "x-gitlab-event-uuid", gitea: "x-gitea-delivery" } as const;
const DELIVERY_ID = /^[A-Za-z0-9._-]{1,128}$/;
const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** Whether the request is a pull/merge request event (the webhook route sends those here, pushes elsewhere). */
export function isPullRequestEvent(provider: Provider, headers: HeaderSource): boolean {
  if (provider === "generic") return false;
  return header(headers, EVENT_HEADER[provider]) === PR_EVENT[provider];
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | null => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Obj) : null);
const str = (v: unknown): string | null => (typeof v === "string" ? v : null);

type Raw = {
  action: PullRequestAction | null;
  ignored?: string;
  merged: boolean;
  number: unknown;
  title: unknown;
  login: unknown;
  baseRef: unknown;
  headRef: unknown;
  headSha: unknown;
  fromFork: boolean;
  cloneUrl: unknown;
};

/** GitHub and Gitea/Forgejo share a shape; Gitea says "synchronized" where GitHub says "synchronize". */
function githubLike(b: Obj, actions: Record<string, PullRequestAction>): Raw | string {
  const pr = obj(b.pull_request);
  if (!pr) return "the event has no pull_request";
  const action = str(b.action) ?? "";
  const head = obj(pr.head) ?? {};
  const base = obj(pr.base) ?? {};
  const headRepo = obj(head.repo);
  const baseRepo = obj(base.repo);
  // A deleted fork's head repository is null: it can only have been a fork.
  const headRepoId = headRepo?.id ?? head.repo_id;
  const baseRepoId = baseRepo?.id ?? base.repo_id;
  return {
    action: actions[action] ?? null,
    ignored: actions[action] ? undefined : `ignored: pull request action "${action}"`,
    merged: pr.merged === true,
    number: pr.number ?? b.number,
    title: pr.title,
    login: obj(pr.user)?.login,
    baseRef: base.ref,
    headRef: head.ref,
    headSha: head.sha,
    fromFork: !headRepo || headRepoId === undefined || headRepoId !== baseRepoId,
    cloneUrl: headRepo?.clone_url ?? null,
  };
}

/** GitLab: "update" is a new push only when it carries oldrev (otherwise a title, label or assignee change). */
function gitlab(b: Obj): Raw | string {
  const a = obj(b.object_attributes);
  if (!a) return "the event has no object_attributes";
  const act = str(a.action) ?? "";
  const map: Record<string, PullRequestAction> = { open: "opened", reopen: "reopened", close: "closed", merge: "closed" };
  const action = act === "update" ? (typeof a.oldrev === "string" && a.oldrev ? "synchronize" : null) : (map[act] ?? null);
  return {
    action,
    ignored: action ? undefined : act === "update" ? "ignored: a merge request update with no new commits" : `ignored: merge request action "${act}"`,
    merged: act === "merge",
    number: a.iid,
    title: a.title,
    // The event's user: the author on open, the pusher on an update (GitLab's payload names no author login).
    login: obj(b.user)?.username,
    baseRef: a.target_branch,
    headRef: a.source_branch,
    headSha: obj(a.last_commit)?.id,
    fromFork: a.source_project_id === undefined || a.source_project_id !== a.target_project_id,
    cloneUrl: obj(a.source)?.git_http_url ?? null,
  };
}

export function parsePullRequest(provider: Provider, headers: HeaderSource, body: unknown): PullRequestResult {
  if (provider === "generic") return { ok: false, reason: "Berth's generic webhook has no pull requests" };
  const event = header(headers, EVENT_HEADER[provider]);
  if (event !== PR_EVENT[provider]) return { ok: false, reason: `ignored: "${event}" is not a pull request event` };
  const delivery = header(headers, DELIVERY[provider]);
  if (delivery !== null && !DELIVERY_ID.test(delivery)) return { ok: false, reason: "malformed delivery id" };
  const b = obj(body);
  if (!b) return { ok: false, reason: "body is not a JSON object" };

  const raw =
    provider === "gitlab"
      ? gitlab(b)
      : githubLike(
          b,
          provider === "github"
            ? { opened: "opened", reopened: "reopened", synchronize: "synchronize", closed: "closed" }
            : { opened: "opened", reopened: "reopened", synchronized: "synchronize", closed: "closed" },
        );
  if (typeof raw === "string") return { ok: false, reason: raw };
  if (!raw.action) return { ok: false, reason: raw.ignored ?? "ignored" };

  const number = raw.number;
  if (typeof number !== "number" || !Number.isInteger(number) || number < 1 || number > 1e9)
    return { ok: false, reason: "the pull request has no valid number" };
  const login = str(raw.login);
  if (!login || !USERNAME.test(login)) return { ok: false, reason: "the pull request has no valid author" };
  const base = validateRef(str(raw.baseRef) ?? "");
  if (!base.ok) return { ok: false, reason: `base branch: ${base.error}` };
  const head = validateRef(str(raw.headRef) ?? "");
  if (!head.ok) return { ok: false, reason: `head branch: ${head.error}` };
  const sha = validateCommitSha(str(raw.headSha) ?? "");
  if (!sha.ok) return { ok: false, reason: `head commit: ${sha.error}` };
  const title = (str(raw.title) ?? "").replace(/[\p{Cc}\p{Cf}]/gu, " ").slice(0, 300);

  return {
    ok: true,
    event: {
      provider,
      action: raw.action,
      merged: raw.merged,
      number,
      title,
      author: `${provider}:${login.toLowerCase()}`,
      baseRef: base.ref,
      headRef: head.ref,
      headSha: sha.sha,
      fromFork: raw.fromFork,
      headRepoCloneUrl: str(raw.cloneUrl),
      deliveryId: delivery,
    },
  };
}

/** The ref the base repository serves a pull request's head under: the agent fetches it there, never from the fork. */
export function pullRequestRef(provider: PullRequestEvent["provider"], number: number): string {
  return provider === "gitlab" ? `refs/merge-requests/${number}/head` : `refs/pull/${number}/head`;
}
