// Parsing verified pull/merge request events from GitHub's, GitLab's and Gitea's real payloads.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import examples from "@octokit/webhooks-examples/api.github.com/index.json";
import { isPullRequestEvent, parsePullRequest, pullRequestRef } from "@/lib/webhooks/pull-request";

// biome-ignore lint/suspicious/noExplicitAny: providers' payloads, edited field by field as each test needs
type Json = Record<string, any>;
const fixture = (name: string): Json => JSON.parse(fs.readFileSync(path.join(__dirname, "../fixtures/webhooks", name), "utf8"));
const github = (action: string): Json => {
  const list = (examples as Json[]).find((e) => e.name === "pull_request")!.examples as Json[];
  return structuredClone(list.find((e) => e.action === action)!);
};
const GH = { "x-github-event": "pull_request", "x-github-delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958" };
const GL = { "x-gitlab-event": "Merge Request Hook", "x-gitlab-event-uuid": "13792a34-cac6-4fda-95a8-c58e00a3954e" };
const GT = { "x-gitea-event": "pull_request", "x-gitea-delivery": "f6266f16-1bf3-46a5-9ea4-602e06ead473" };

describe("GitHub pull_request", () => {
  it("opened: number, author, refs, head commit; same repository is not a fork", () => {
    const r = parsePullRequest("github", GH, github("opened"));
    expect(r).toEqual({
      ok: true,
      event: {
        provider: "github",
        action: "opened",
        merged: false,
        number: 2,
        title: "Update the README with new information.",
        author: "github:codertocat",
        baseRef: "master",
        headRef: "changes",
        headSha: "ec26c3e57ca3a959ca5aad62de7213c562f8c821",
        fromFork: false,
        headRepoCloneUrl: "https://github.com/Codertocat/Hello-World.git",
        deliveryId: GH["x-github-delivery"],
      },
    });
  });

  it("reopened, synchronize and closed (merged or not) are lifecycle actions; the others are ignored", () => {
    for (const a of ["reopened", "synchronize", "closed"]) {
      const r = parsePullRequest("github", GH, github(a));
      expect(r.ok && r.event.action).toBe(a);
    }
    const merged = github("closed");
    merged.pull_request.merged = true;
    const m = parsePullRequest("github", GH, merged);
    expect(m.ok && m.event.merged).toBe(true);
    for (const a of ["labeled", "assigned", "review_requested", "converted_to_draft"]) {
      const r = parsePullRequest("github", GH, github(a));
      expect(r).toEqual({ ok: false, reason: `ignored: pull request action "${a}"` });
    }
  });

  it("a fork: another head repository, or none (deleted fork)", () => {
    const other = github("opened");
    other.pull_request.head.repo.id = 999;
    expect((parsePullRequest("github", GH, other) as Json).event.fromFork).toBe(true);
    const gone = github("opened");
    gone.pull_request.head.repo = null;
    expect((parsePullRequest("github", GH, gone) as Json).event.fromFork).toBe(true);
  });

  it("refuses bad refs, shas, authors and numbers instead of passing them on", () => {
    const cases: [string, (b: Json) => void, RegExp][] = [
      ["option-like head ref", (b) => (b.pull_request.head.ref = "--upload-pack=evil"), /head branch/],
      ["shell in base ref", (b) => (b.pull_request.base.ref = "main;rm -rf /"), /base branch/],
      ["short sha", (b) => (b.pull_request.head.sha = "ec26c3e"), /head commit/],
      ["zero sha", (b) => (b.pull_request.head.sha = "0".repeat(40)), /head commit/],
      ["author with a slash", (b) => (b.pull_request.user.login = "../admin"), /author/],
      ["number as string", (b) => (b.pull_request.number = "2"), /number/],
    ];
    for (const [, edit, reason] of cases) {
      const b = github("opened");
      edit(b);
      const r = parsePullRequest("github", GH, b);
      expect(r.ok).toBe(false);
      expect((r as { reason: string }).reason).toMatch(reason);
    }
    expect(parsePullRequest("github", { ...GH, "x-github-delivery": "a b" }, github("opened"))).toEqual({ ok: false, reason: "malformed delivery id" });
    expect(parsePullRequest("github", GH, [])).toEqual({ ok: false, reason: "body is not a JSON object" });
  });

  it("only pull_request events are pull requests", () => {
    expect(isPullRequestEvent("github", GH)).toBe(true);
    expect(isPullRequestEvent("github", { "x-github-event": "push" })).toBe(false);
    expect(isPullRequestEvent("generic", GH)).toBe(false);
    expect(parsePullRequest("github", { "x-github-event": "push" }, github("opened"))).toMatchObject({ ok: false, reason: expect.stringMatching(/^ignored/) });
  });
});

describe("GitLab Merge Request Hook", () => {
  it("open: iid, the event's user, branches, last commit; same project is not a fork", () => {
    const r = parsePullRequest("gitlab", GL, fixture("gitlab-merge-request-open.json"));
    expect(r).toEqual({
      ok: true,
      event: {
        provider: "gitlab",
        action: "opened",
        merged: false,
        number: 1,
        title: "MS-Viewport",
        author: "gitlab:root",
        baseRef: "master",
        headRef: "ms-viewport",
        headSha: "da1560886d4f094c3e6c9ef40349f7d38b5d27d7",
        fromFork: false,
        headRepoCloneUrl: "http://example.com/awesome_space/awesome_project.git",
        deliveryId: GL["x-gitlab-event-uuid"],
      },
    });
  });

  it("update with oldrev is a push; without it, an edit (ignored); close and merge close; reopen", () => {
    const b = fixture("gitlab-merge-request-open.json");
    b.object_attributes.action = "update";
    expect(parsePullRequest("gitlab", GL, b)).toEqual({ ok: false, reason: "ignored: a merge request update with no new commits" });
    b.object_attributes.oldrev = "0f2b4c4a2dc32e1a7c3f2cfa4e1c6fd5b7c8d9e0";
    expect((parsePullRequest("gitlab", GL, b) as Json).event.action).toBe("synchronize");
    for (const [a, want, merged] of [
      ["close", "closed", false],
      ["merge", "closed", true],
      ["reopen", "reopened", false],
    ] as const) {
      b.object_attributes.action = a;
      const r = parsePullRequest("gitlab", GL, b) as Json;
      expect([r.event.action, r.event.merged]).toEqual([want, merged]);
    }
    b.object_attributes.action = "approved";
    expect(parsePullRequest("gitlab", GL, b)).toEqual({ ok: false, reason: 'ignored: merge request action "approved"' });
  });

  it("another source project is a fork", () => {
    const b = fixture("gitlab-merge-request-open.json");
    b.object_attributes.source_project_id = 15;
    expect((parsePullRequest("gitlab", GL, b) as Json).event.fromFork).toBe(true);
  });
});

describe("Gitea pull_request", () => {
  it("opened from a fork (head repository 2, base 1)", () => {
    const r = parsePullRequest("gitea", GT, fixture("gitea-pull-request-opened.json"));
    expect(r).toEqual({
      ok: true,
      event: {
        provider: "gitea",
        action: "opened",
        merged: false,
        number: 2,
        title: expect.any(String),
        author: "gitea:example2",
        baseRef: "master",
        headRef: "master",
        headSha: "48e773f892a831faa47c0a160d1b7f0cd369ae2a",
        fromFork: true,
        headRepoCloneUrl: "http://localhost:3000/example2/example.git",
        deliveryId: GT["x-gitea-delivery"],
      },
    });
  });

  it("synchronized is a push; closed, merged closed; GitHub's spelling is not Gitea's", () => {
    const b = fixture("gitea-pull-request-opened.json");
    b.action = "synchronized";
    expect((parsePullRequest("gitea", GT, b) as Json).event.action).toBe("synchronize");
    b.action = "synchronize";
    expect(parsePullRequest("gitea", GT, b)).toEqual({ ok: false, reason: 'ignored: pull request action "synchronize"' });
    b.action = "closed";
    b.pull_request.merged = true;
    expect((parsePullRequest("gitea", GT, b) as Json).event).toMatchObject({ action: "closed", merged: true });
  });
});

it("the base repository's pull request refs", () => {
  expect(pullRequestRef("github", 7)).toBe("refs/pull/7/head");
  expect(pullRequestRef("gitea", 7)).toBe("refs/pull/7/head");
  expect(pullRequestRef("gitlab", 7)).toBe("refs/merge-requests/7/head");
});
