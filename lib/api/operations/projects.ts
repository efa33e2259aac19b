// Projects and environments: list, read, create, rename, archive, protect, delete, clone; configuration moved
// between environments (promote, .env import and export); and the team at a glance for the CLI.
import { z } from "zod";
import { deleteEnvironment } from "@/lib/data/delete-environment";
import { confirmDeleteInput, deleteProject } from "@/lib/data/delete-project";
import { applyImport, applyImportByName, cloneEnvironment, exportEnvironment, previewImport, promoteInput, promoteVariables } from "@/lib/data/env-transfer";
import { projectWithinGrant, withinGrant } from "@/lib/data/grant-filter";
import {
  createEnvironment,
  createProject,
  getEnvironment,
  getProject,
  listProjects,
  projectNameInput,
  renameProject,
  setEnvironmentProtected,
  setProjectArchived,
} from "@/lib/data/projects";
import { serviceByName } from "@/lib/data/service-lookup";
import { teamStatus } from "@/lib/data/team-status";
import { commaList, flag, id } from "@/lib/validation/fields";
import { teamOp, type Operation } from "../operation";
import { deleteOutcome, dotenvImported, dotenvPreview, environmentSummary, projectRef, projectSummary } from "../outputs/project";
import { serviceLookup, teamStatus as teamStatusOutput } from "../outputs/project-status";

const named = (what: string) =>
  z
    .string({ error: `Name the ${what}.` })
    .trim()
    .min(1, `Name the ${what}.`)
    .max(200);
const inProject = z.object({ project: named("project") });
const inEnvironment = inProject.extend({ env: named("environment") });

const dotenvText = z.string({ error: "Paste the .env text." });
const importInput = z.object({
  dotenv: dotenvText,
  /** New keys to save as secrets (keys that are secrets already stay secret). */
  secretKeys: commaList(z.array(z.string().max(128)).max(1000)).default([]),
  /** Import even when a value refers to a key that does not exist (yet). */
  force: flag.default(false),
});

const env = (i: { project: string; env: string }) => ({ environment: { project: i.project, env: i.env } });

export const listProjectsOp = teamOp({
  id: "projects.list",
  method: "GET",
  path: "/teams/{team}/projects",
  summary: "The team's projects with their environments, by name; `archived=1` lists the archived ones instead.",
  permission: "project.read",
  targets: "filtered",
  input: z.object({ archived: flag.default(false) }),
  output: z.object({ projects: z.array(projectSummary) }),
  run: async (ctx, i) => ({ projects: withinGrant(ctx, await listProjects(ctx, { archived: i.archived })) }),
});

export const getProjectOp = teamOp({
  id: "projects.get",
  method: "GET",
  path: "/teams/{team}/projects/{project}",
  summary: "One project and its environments (a token limited to one environment sees that one).",
  permission: "project.read",
  targets: "filtered",
  input: inProject,
  output: projectSummary,
  run: async (ctx, i) => projectWithinGrant(ctx, await getProject(ctx, i.project)),
});

export const createProjectOp = teamOp({
  id: "projects.create",
  method: "POST",
  path: "/teams/{team}/projects",
  summary: "A new project, with development, staging and a protected production environment.",
  permission: "project.write",
  input: projectNameInput,
  output: projectRef,
  status: 201,
  run: (ctx, i) => createProject(ctx, i),
});

export const renameProjectOp = teamOp({
  id: "projects.rename",
  method: "PATCH",
  path: "/teams/{team}/projects/{project}",
  summary: "Rename a project (its slug, and so its addresses, stay).",
  permission: "project.write",
  targets: (i) => [{ project: i.project }],
  input: inProject.extend(projectNameInput.shape),
  output: projectRef,
  run: async (ctx, i) => {
    await renameProject(ctx, i.project, i);
    return getProject(ctx, i.project);
  },
});

export const archiveProjectOp = teamOp({
  id: "projects.archive",
  method: "POST",
  path: "/teams/{team}/projects/{project}/archive",
  summary: "Archive a project (`archived: false` restores it). What it runs keeps running.",
  permission: "project.archive",
  targets: (i) => [{ project: i.project }],
  input: inProject.extend({ archived: flag.default(true) }),
  output: z.object({ archived: z.boolean() }),
  run: async (ctx, i) => {
    await setProjectArchived(ctx, i.project, i.archived);
    return { archived: i.archived };
  },
});

export const deleteProjectOp = teamOp({
  id: "projects.delete",
  method: "DELETE",
  path: "/teams/{team}/projects/{project}",
  summary:
    "Delete a project with its environments, services, deployments and variables, and remove what they run from the hosts. `confirm` is the project's name.",
  permission: "project.delete",
  targets: (i) => [{ project: i.project }],
  input: inProject.extend(confirmDeleteInput.shape),
  output: deleteOutcome,
  run: (ctx, i) => deleteProject(ctx, i.project, i),
});

export const createEnvironmentOp = teamOp({
  id: "environments.create",
  method: "POST",
  path: "/teams/{team}/projects/{project}/environments",
  summary: "A new, empty environment of the project; a protected one needs an admin.",
  permission: "project.write",
  targets: (i) => [{ project: i.project }],
  input: inProject.extend({ name: projectNameInput.shape.name, protected: flag.default(false) }),
  output: environmentSummary,
  status: 201,
  run: (ctx, i) => createEnvironment(ctx, i.project, i),
});

export const protectEnvironmentOp = teamOp({
  id: "environments.protect",
  method: "POST",
  path: "/teams/{team}/projects/{project}/environments/{env}/protect",
  summary: "Protect an environment (only admins and owners then change or deploy it); `protected: false` lifts that.",
  permission: "environment.protect",
  targets: (i) => [env(i)],
  input: inEnvironment.extend({ protected: flag.default(true) }),
  output: environmentSummary,
  run: async (ctx, i) => {
    await setEnvironmentProtected(ctx, i.project, i.env, i.protected);
    return (await getEnvironment(ctx, i.project, i.env)).env;
  },
});

export const deleteEnvironmentOp = teamOp({
  id: "environments.delete",
  method: "DELETE",
  path: "/teams/{team}/projects/{project}/environments/{env}",
  summary: "Delete an environment with its services, deployments and variables, and remove what they run from the hosts. `confirm` is its name.",
  permission: "project.delete",
  targets: (i) => [env(i)],
  input: inEnvironment.extend(confirmDeleteInput.shape),
  output: deleteOutcome,
  run: (ctx, i) => deleteEnvironment(ctx, i.project, i.env, i),
});

export const cloneEnvironmentOp = teamOp({
  id: "environments.clone",
  method: "POST",
  path: "/teams/{team}/projects/{project}/environments/{env}/clone",
  summary: "A new environment with this one's variables and services (secrets only with `withSecrets`).",
  permission: "project.write",
  targets: (i) => [env(i), { project: i.project }],
  input: inEnvironment.extend({ name: projectNameInput.shape.name, withSecrets: flag.default(false) }),
  output: environmentSummary,
  status: 201,
  run: (ctx, i) => cloneEnvironment(ctx, i.project, i.env, i),
});

export const promoteConfigOp = teamOp({
  id: "environments.promoteConfig",
  method: "POST",
  path: "/teams/{team}/projects/{project}/promote-config",
  summary: "Copy the chosen variables (values and secrecy) from one environment of the project to another, in one step.",
  permission: "project.write",
  targets: (i) => [env({ project: i.project, env: i.from }), env({ project: i.project, env: i.to })],
  input: inProject.extend({ from: named("environment to promote from"), to: named("environment to promote to"), keys: commaList(promoteInput.shape.keys) }),
  output: z.object({ promoted: z.number().int() }),
  run: (ctx, i) => promoteVariables(ctx, i.project, i.from, i.to, i),
});

export const previewDotenvOp = teamOp({
  id: "environments.previewDotenv",
  method: "POST",
  path: "/teams/{team}/environments/{environmentId}/dotenv/preview",
  summary: "What importing this .env text would change, key by key; nothing is written.",
  permission: "project.write",
  targets: (i) => [{ environmentId: i.environmentId }],
  input: z.object({ environmentId: id, dotenv: dotenvText }),
  output: dotenvPreview,
  run: (ctx, i) => previewImport(ctx, i.environmentId, i.dotenv),
});

export const importDotenvOp = teamOp({
  id: "environments.importDotenv",
  method: "POST",
  path: "/teams/{team}/environments/{environmentId}/dotenv",
  summary: "Import a .env text into the environment (by id), in one step.",
  permission: "project.write",
  targets: (i) => [{ environmentId: i.environmentId }],
  input: importInput.extend({ environmentId: id }),
  output: dotenvImported,
  run: (ctx, i) => applyImport(ctx, i.environmentId, i.dotenv, i.secretKeys, { force: i.force }),
});

export const exportDotenvOp = teamOp({
  id: "environments.exportDotenv",
  method: "GET",
  path: "/teams/{team}/projects/{project}/environments/{env}/dotenv",
  summary:
    "The environment's own variables as a .env file. Secret values only with `secrets=1`, which needs an admin and a token's `read:secrets` scope, and is audited; otherwise a comment names the secrets left out.",
  permission: "project.read", // `secrets=1`: exportEnvironment also checks config.export-secrets
  targets: (i) => [env(i)],
  input: inEnvironment.extend({ secrets: flag.default(false) }),
  output: z.never(),
  produces: "text/plain",
  run: async (ctx, i) =>
    new Response(await exportEnvironment(ctx, i.project, i.env, { includeSecrets: i.secrets }), {
      headers: {
        "content-type": "text/plain; charset=utf-8",
        "content-disposition": `attachment; filename="${i.project}-${i.env}.env"`,
        "cache-control": "no-store",
      },
    }),
});

export const putDotenvOp = teamOp({
  id: "environments.putDotenv",
  method: "PUT",
  path: "/teams/{team}/projects/{project}/environments/{env}/dotenv",
  summary:
    "Import a .env text into the environment, in one step: new and changed keys are written, keys it does not name are kept. Secrets stay secret; `secretKeys` makes new keys secret.",
  permission: "project.write",
  targets: (i) => [env(i)],
  input: inEnvironment.extend(importInput.shape),
  output: dotenvImported,
  run: (ctx, i) => applyImportByName(ctx, i.project, i.env, i.dotenv, i.secretKeys, { force: i.force }),
});

export const teamStatusOp = teamOp({
  id: "status.get",
  method: "GET",
  path: "/teams/{team}/status",
  summary: "The team at a glance: hosts, and each active project's environments with their services, live release and newest deployment.",
  permission: "project.read",
  targets: "filtered",
  input: z.object({}),
  output: teamStatusOutput,
  run: (ctx) => teamStatus(ctx),
});

export const serviceLookupOp = teamOp({
  id: "services.lookup",
  method: "GET",
  path: "/teams/{team}/projects/{project}/environments/{env}/services/{service}",
  summary: "A service found by its project, environment and name: its id (for deployments and logs) and live release.",
  permission: "project.read",
  targets: (i) => [env(i)],
  input: inEnvironment.extend({ service: named("service") }),
  output: serviceLookup,
  run: (ctx, i) => serviceByName(ctx, i.project, i.env, i.service),
});

export const projectOps: Operation[] = [
  listProjectsOp,
  getProjectOp,
  createProjectOp,
  renameProjectOp,
  archiveProjectOp,
  deleteProjectOp,
  createEnvironmentOp,
  protectEnvironmentOp,
  deleteEnvironmentOp,
  cloneEnvironmentOp,
  promoteConfigOp,
  previewDotenvOp,
  importDotenvOp,
  exportDotenvOp,
  putDotenvOp,
  teamStatusOp,
  serviceLookupOp,
];
