"use server";
// Git services and their deployments: server actions made from the operations (lib/api/operations), which
// authenticate, authorise and validate; here only what each form shows afterwards.
import { formAction } from "@/lib/api/form";
import { cancelDeploymentOp, deployOp, promoteOp, rollbackOp } from "@/lib/api/operations/deployments";
import {
  acceptGitHostKeyOp,
  createGitServiceOp,
  regenerateDeployKeyOp,
  revealWebhookSecretOp,
  rotateWebhookSecretOp,
  testGitConnectionOp,
  updateGitServiceOp,
} from "@/lib/api/operations/services";

const envPath = (v: Record<string, string>) => `/t/${v.team}/projects/${v.project}/${v.env}`;
const servicePath = (v: Record<string, string>) => `${envPath(v)}/services/${v.service}`;
const deploymentPath = (v: Record<string, string>, id: string) => `/t/${v.team}/deployments/${id}`;

export const createGitServiceAction = formAction(createGitServiceOp, { done: (s, v) => ({ go: `${envPath(v)}/services/${s.name}` }) });

export const updateGitServiceAction = formAction(updateGitServiceOp, {
  done: (_s, v) => ({ revalidate: servicePath(v), message: "Saved. The next deployment uses these settings." }),
});

export const deployGitAction = formAction(deployOp, { done: (d, v) => ({ go: deploymentPath(v, d.id) }) });

export const cancelDeploymentAction = formAction(cancelDeploymentOp, {
  done: (r, v) => ({ revalidate: deploymentPath(v, v.deploymentId ?? ""), message: r.ended ? "Cancelled." : "Cancelling: the host is stopping it." }),
});

export const rollbackAction = formAction(rollbackOp, { done: (d, v) => ({ go: deploymentPath(v, d.id) }) });

export const promoteAction = formAction(promoteOp, { done: (d, v) => ({ go: deploymentPath(v, d.id) }) });

// The page shows the secret once, with a copy button (CopyResult reads `data.url`).
export const revealWebhookSecretAction = formAction(revealWebhookSecretOp, { done: (w) => ({ data: { url: w.secret } }) });

export const rotateWebhookSecretAction = formAction(rotateWebhookSecretOp, {
  done: (w) => ({ message: "New secret made: update it in your git host's webhook settings.", data: { url: w.secret } }),
});

export const regenerateDeployKeyAction = formAction(regenerateDeployKeyOp, {
  done: (_k, v) => ({ revalidate: servicePath(v), message: "New deploy key made: replace the old one in your git host." }),
});

/** "Test connection": the outcome is the result itself (success or an explained failure), as strings in `data`. */
export const testGitConnectionAction = formAction(testGitConnectionOp, {
  done: (r, v) => {
    const data: Record<string, string> = r.ok
      ? { result: "ok", ref: r.ref, commit: r.commit, firstHostKeys: r.firstHostKeys.join("\n") }
      : {
          result: "failed",
          ref: r.ref,
          kind: r.problem.kind,
          title: r.problem.title,
          reason: r.problem.reason,
          hint: r.problem.hint ?? "",
          hostKeyOffered: r.hostKeyOffered ? "yes" : "",
        };
    return { revalidate: servicePath(v), data }; // revalidated: a host key offer shows on the page
  },
});

export const acceptGitHostKeyAction = formAction(acceptGitHostKeyOp, {
  done: (_r, v) => ({ revalidate: servicePath(v), message: "The new host key is pinned: deployments fetch from that server again." }),
});
