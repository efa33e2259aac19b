"use server";
// Projects and environments: each action is an operation (lib/api/operations/projects.ts) behind a form.
import { formAction } from "@/lib/api/form";
import {
  archiveProjectOp,
  createEnvironmentOp,
  createProjectOp,
  deleteEnvironmentOp,
  deleteProjectOp,
  protectEnvironmentOp,
  renameProjectOp,
} from "@/lib/api/operations/projects";

const projectsPath = (v: Record<string, string>) => `/t/${v.team}/projects`;
const projectPath = (v: Record<string, string>) => `${projectsPath(v)}/${v.project}`;

export const createProjectAction = formAction(createProjectOp, { done: (p, v) => ({ go: `${projectsPath(v)}/${p.slug}` }) });

export const renameProjectAction = formAction(renameProjectOp, {
  done: (_p, v) => ({ revalidate: [projectsPath(v), "layout"], message: "Project renamed." }),
});

export const archiveProjectAction = formAction(archiveProjectOp, {
  done: (r, v) => ({ revalidate: [projectsPath(v), "layout"], message: r.archived ? "Project archived." : "Project restored." }),
});

export const createEnvironmentAction = formAction(createEnvironmentOp, {
  done: (e, v) => ({ revalidate: projectPath(v), message: `${e.name} created.` }),
});

export const protectEnvironmentAction = formAction(protectEnvironmentOp, { done: (_e, v) => ({ revalidate: [projectPath(v), "layout"] }) });

export const deleteProjectAction = formAction(deleteProjectOp, { done: (_r, v) => ({ go: projectsPath(v) }) });

export const deleteEnvironmentAction = formAction(deleteEnvironmentOp, { done: (_r, v) => ({ go: projectPath(v) }) });
