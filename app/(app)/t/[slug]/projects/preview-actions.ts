"use server";
// Pull request previews: server actions made from the operations (lib/api/operations/previews.ts), which
// authenticate, authorise and validate; here only what each form shows afterwards.
import { formAction } from "@/lib/api/form";
import { approvePreviewOp, closePreviewOp, setPreviewSecretKeysOp, updatePreviewSettingsOp } from "@/lib/api/operations/previews";

const envPath = (v: Record<string, string>) => `/t/${v.team}/projects/${v.project}/${v.env}`;

export const updatePreviewSettingsAction = formAction(updatePreviewSettingsOp, {
  done: (s, v) => ({
    revalidate: `${envPath(v)}/services/${v.service}`,
    message: s.previewsEnabled ? "Saved: pull requests get previews." : "Saved: previews are off.",
  }),
});

/** The ticked boxes, one `keys` value each (none ticked: none allowed). */
export const setPreviewSecretKeysAction = formAction(setPreviewSecretKeysOp, {
  input: (v, form) => ({ ...v, keys: form.getAll("keys").map(String) }),
  done: (r, v) => ({ revalidate: envPath(v), message: `Saved: previews receive ${r.keys.length === 1 ? "1 secret" : `${r.keys.length} secrets`}.` }),
});

/** The environment list re-renders (`revalidate` of the projects' layout) to show the new status. */
export const approvePreviewAction = formAction(approvePreviewOp, {
  done: (_r, v) => ({ revalidate: [`/t/${v.team}/projects`, "layout"], message: "Approved: the preview is deploying." }),
});

export const closePreviewAction = formAction(closePreviewOp, {
  done: (_r, v) => ({ revalidate: [`/t/${v.team}/projects`, "layout"], message: "Closed." }),
});
