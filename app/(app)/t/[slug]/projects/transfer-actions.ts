"use server";
// Moving configuration between environments: promote, .env import (preview, then apply) and cloning. Each
// action is an operation (lib/api/operations/projects.ts) behind a form.
import { formAction } from "@/lib/api/form";
import { cloneEnvironmentOp, importDotenvOp, previewDotenvOp, promoteConfigOp } from "@/lib/api/operations/projects";

const projectPath = (v: Record<string, string>) => `/t/${v.team}/projects/${v.project}`;

// Ticked boxes share one name (keys to promote, new keys to keep secret): every value, not only the last.
export const promoteAction = formAction(promoteConfigOp, {
  input: (v, form) => ({ ...v, keys: form.getAll("keys").map(String) }),
  done: ({ promoted }, v) => ({ revalidate: [projectPath(v), "layout"], message: `Promoted ${promoted} key${promoted === 1 ? "" : "s"} to ${v.to}.` }),
});

export const previewImportAction = formAction(previewDotenvOp, { done: (p) => ({ data: { preview: JSON.stringify(p) } }) });

export const applyImportAction = formAction(importDotenvOp, {
  input: (v, form) => ({ ...v, secretKeys: form.getAll("secretKeys").map(String) }),
  done: (r, v) => ({ revalidate: v.path || "/", message: `Imported: ${r.written} of ${r.total} variables changed.` }),
});

export const cloneEnvironmentAction = formAction(cloneEnvironmentOp, {
  input: ({ from, ...v }) => ({ ...v, env: from }),
  done: (e, v) => ({ go: `${projectPath(v)}/${e.slug}` }),
});
