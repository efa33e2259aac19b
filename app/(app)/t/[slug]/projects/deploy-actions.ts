"use server";
// Git services and their deployments: each action authenticates itself, then calls the data layer.
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { apiTeam } from "@/lib/auth/session";
import { formAction } from "@/lib/api/form";
import { cancelDeploymentOp, deployOp, promoteOp, rollbackOp } from "@/lib/api/operations/deployments";
import { testGitConnection } from "@/lib/data/git-connection";
import { acceptGitHostKey } from "@/lib/data/git-host-keys";
import { createGitService, regenerateDeployKey, revealWebhookSecret, rotateWebhookSecret, updateGitService } from "@/lib/data/git-services";
import { runAction, type ActionState } from "@/lib/http/action-state";
import { formObject } from "@/lib/validation/parse";

const envPath = (v: Record<string, string>) => `/t/${v.team}/projects/${v.project}/${v.env}`;
const servicePath = (v: Record<string, string>) => `${envPath(v)}/services/${v.service}`;
const deploymentPath = (v: Record<string, string>, id: string) => `/t/${v.team}/deployments/${id}`;

export async function createGitServiceAction(_prev: ActionState | undefined, form: FormData): Promise<ActionState> {
  const values = formObject(form);
  return runAction(async () => {
    const s = await createGitService(await apiTeam(values.team), values.project ?? "", values.env ?? "", values);
    redirect(`${envPath(values)}/services/${s.name}`);
  }, values);
}

export async function updateGitServiceAction(_prev: ActionState | undefined, form: FormData): Promise<ActionState> {
  const values = formObject(form);
  return runAction(async () => {
    await updateGitService(await apiTeam(values.team), values.serviceId ?? "", values);
    revalidatePath(servicePath(values));
    return { message: "Saved. The next deployment uses these settings." };
  }, values);
}

export const deployGitAction = formAction(deployOp, { done: (d, v) => ({ go: deploymentPath(v, d.id) }) });

export const cancelDeploymentAction = formAction(cancelDeploymentOp, {
  done: (r, v) => ({ revalidate: deploymentPath(v, v.deploymentId ?? ""), message: r.ended ? "Cancelled." : "Cancelling: the host is stopping it." }),
});

export const rollbackAction = formAction(rollbackOp, { done: (d, v) => ({ go: deploymentPath(v, d.id) }) });

export const promoteAction = formAction(promoteOp, { done: (d, v) => ({ go: deploymentPath(v, d.id) }) });

export async function revealWebhookSecretAction(_prev: ActionState | undefined, form: FormData): Promise<ActionState> {
  const values = formObject(form);
  return runAction(async () => ({ data: { url: await revealWebhookSecret(await apiTeam(values.team), values.serviceId ?? "") } }), values);
}

export async function rotateWebhookSecretAction(_prev: ActionState | undefined, form: FormData): Promise<ActionState> {
  const values = formObject(form);
  return runAction(
    async () => ({
      message: "New secret made: update it in your git host's webhook settings.",
      data: { url: await rotateWebhookSecret(await apiTeam(values.team), values.serviceId ?? "") },
    }),
    values,
  );
}

export async function regenerateDeployKeyAction(_prev: ActionState | undefined, form: FormData): Promise<ActionState> {
  const values = formObject(form);
  return runAction(async () => {
    await regenerateDeployKey(await apiTeam(values.team), values.serviceId ?? "");
    revalidatePath(servicePath(values));
    return { message: "New deploy key made: replace the old one in your git host." };
  }, values);
}

/** "Test connection": the outcome is the result itself (success or an explained failure), as strings in `data`. */
export async function testGitConnectionAction(_prev: ActionState | undefined, form: FormData): Promise<ActionState> {
  const values = formObject(form);
  return runAction(async () => {
    const r = await testGitConnection(await apiTeam(values.team), values.serviceId ?? "");
    revalidatePath(servicePath(values)); // a host key offer shows on the page
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
    return { data };
  }, values);
}

export async function acceptGitHostKeyAction(_prev: ActionState | undefined, form: FormData): Promise<ActionState> {
  const values = formObject(form);
  return runAction(async () => {
    await acceptGitHostKey(await apiTeam(values.team), values.serviceId ?? "", values.offer ?? "");
    revalidatePath(servicePath(values));
    return { message: "The new host key is pinned: deployments fetch from that server again." };
  }, values);
}
