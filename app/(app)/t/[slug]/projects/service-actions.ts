"use server";
// Image services and the environment page's deploy buttons: server actions made from the operations
// (lib/api/operations), which authenticate, authorise and validate; here only what each form shows afterwards.
import { revalidatePath } from "next/cache";
import { formAction } from "@/lib/api/form";
import { deployOp } from "@/lib/api/operations/deployments";
import { createImageServiceOp, deleteServiceOp, deployServicesOp, updateImageServiceOp } from "@/lib/api/operations/services";

const envPath = (v: Record<string, string>) => `/t/${v.team}/projects/${v.project}/${v.env}`;

export const createServiceAction = formAction(createImageServiceOp, {
  done: (s, v) => ({ revalidate: envPath(v), message: `${s.name} added. Deploy it when its configuration is ready.` }),
});

/** An image service's Deploy / Redeploy button: the deployment is queued; the page follows it live. */
export const deployImageAction = formAction(deployOp, {
  done: (d, v) => {
    revalidatePath(`${envPath(v)}/services/${v.service}`);
    return { revalidate: envPath(v), message: `Deployment #${d.number} queued.` };
  },
});

export const deployAllPendingAction = formAction(deployServicesOp, {
  done: ({ deployments: d }, v) => ({
    revalidate: envPath(v),
    message: `Queued ${d.length} deployment${d.length === 1 ? "" : "s"}: each takes over once healthy.`,
  }),
});

export const deleteServiceAction = formAction(deleteServiceOp, { done: (_r, v) => ({ revalidate: envPath(v) }) });

export const updateServiceAction = formAction(updateImageServiceOp, {
  done: (_s, v) => ({ revalidate: envPath(v), message: "Saved. Redeploy to apply." }),
});
