// A preview's state on its pull request, as a commit status on its head commit ("berth/preview"), when the
// service has a status token. Best effort: a failure is logged and recorded in the team's audit log, never
// thrown into the lifecycle that asked for it. The request is the notification sender's (lib/notify/http-post.ts):
// the API host checked against the service's host's outbound policy right before it, the connection pinned to
// the address checked, 15 s, redirects not followed.
import { db } from "@/lib/db";
import { env as appEnv } from "@/lib/env";
import { type GitProvider, type StatusState, statusRequest } from "@/lib/git/commit-status-api";
import { checkOutboundHost } from "@/lib/net/outbound";
import { postJson } from "@/lib/notify/http-post";
import { recordAudit } from "../audit";
import { openPreviewStatusToken } from "../preview-settings";

const TIMEOUT_MS = 15_000;
export const STATUS_CONTEXT = "berth/preview";

export type StatusOutcome = { posted: true; state: StatusState } | { posted: false; reason: string };

/** What the pull request is told for each preview status; closed previews are left as they were. */
function stateOf(status: string): { state: StatusState; description: string } | null {
  switch (status) {
    case "waiting":
      return { state: "pending", description: "Waiting for a team member to approve this commit in Berth" };
    case "deploying":
      return { state: "pending", description: "Berth is deploying the preview" };
    case "ready":
      return { state: "success", description: "The preview is ready" };
    case "failed":
      return { state: "failure", description: "The preview's deployment failed" };
    default:
      return null;
  }
}

/** Posts the preview's current state to its pull request's head commit. Never throws. */
export async function postPreviewStatus(previewId: string): Promise<StatusOutcome> {
  let failure: { teamId: string; serviceId: string; label: string; error: string } | null = null;
  try {
    const p = await db.preview.findUnique({
      where: { id: previewId },
      select: {
        teamId: true,
        provider: true,
        number: true,
        headSha: true,
        status: true,
        url: true,
        team: { select: { slug: true } },
        service: {
          select: {
            id: true,
            name: true,
            gitUrl: true,
            previewStatusToken: true,
            host: { select: { allowPrivateNetworks: true } },
            environment: { select: { project: { select: { slug: true } } } },
          },
        },
      },
    });
    if (!p) return { posted: false, reason: "no such preview" };
    const s = p.service;
    if (!s.previewStatusToken || !s.gitUrl) return { posted: false, reason: "no status token" };
    const shown = stateOf(p.status);
    if (!shown) return { posted: false, reason: `nothing to tell for a ${p.status} preview` };
    const fail = (error: string): StatusOutcome => {
      failure = { teamId: p.teamId, serviceId: s.id, label: `${s.name} #${p.number}`, error };
      return { posted: false, reason: error };
    };
    const token = await openPreviewStatusToken(s.id);
    const targetUrl = p.status === "ready" && p.url ? p.url : `${appEnv.appUrl}/t/${p.team.slug}/projects/${s.environment.project.slug}#previews`;
    const request = statusRequest(p.provider as GitProvider, s.gitUrl, p.headSha, { ...shown, targetUrl, context: STATUS_CONTEXT }, token ?? "");
    if (!request || !token) return fail(`no ${p.provider} status API for ${s.gitUrl}`);
    const hostname = new URL(request.url).hostname;
    const policy = { allowPrivateNetworks: s.host?.allowPrivateNetworks ?? false };
    const answer = await postJson(request.url, JSON.stringify(request.body), request.headers, policy, { timeoutMs: TIMEOUT_MS });
    if (answer.kind === "refused") {
      // The sender words a refusal for notification channels; this one is the service's host's policy.
      const c = await checkOutboundHost(hostname, policy);
      return fail(c.ok ? answer.error : `Refused address: ${c.error}`);
    }
    if (answer.kind !== "answered") return fail(answer.error);
    if (answer.status >= 200 && answer.status < 300) return { posted: true, state: shown.state };
    return fail(`${hostname} answered ${answer.status}: ${answer.body.slice(0, 300)}`);
  } catch (e) {
    console.error(`previews: the commit status of ${previewId} was not posted:`, (e as Error).message);
    return { posted: false, reason: (e as Error).message };
  } finally {
    if (failure) await recordFailure(previewId, failure);
  }
}

async function recordFailure(previewId: string, f: { teamId: string; serviceId: string; label: string; error: string }) {
  console.error(`previews: the commit status of ${f.label} (${previewId}) was not posted: ${f.error}`);
  await db
    .$transaction((tx) =>
      recordAudit(tx, null, {
        teamId: f.teamId,
        action: "preview.commit-status.failed",
        target: { type: "preview", id: previewId, label: f.label },
        data: { serviceId: f.serviceId, error: f.error },
      }),
    )
    .catch((e: Error) => console.error(`previews: recording that failure failed too: ${e.message}`));
}
