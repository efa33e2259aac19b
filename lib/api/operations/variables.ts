// Variables at each of their four places: the team (shared with every project, production included), a
// project, an environment, a service. List, set, delete, a key's history and restoring a version, the same
// five operations at each place. Secrets are write-only: no answer carries a secret's value.
import { z } from "zod";
import type { TeamContext } from "@/lib/data/context";
import { getEnvironment, getProject } from "@/lib/data/projects";
import {
  deleteVariable,
  listVariables,
  type OwnerRef,
  restoreVariableVersion,
  saveAnywayInput,
  setVariable,
  variableHistory,
  variableInput,
} from "@/lib/data/variables";
import type { VarScope } from "@/lib/generated/prisma/enums";
import type { Action } from "@/lib/permissions";
import { id } from "@/lib/validation/fields";
import { teamOp, type Operation, type TargetRef } from "../operation";
import { savedVariable, variableSummary, variableVersion } from "../outputs/variable";

/** `P`: what a place's path names (nothing for the team, a project, an environment, a service). */
type Place<P extends object> = {
  scope: VarScope;
  /** The path up to `/variables`. */
  prefix: string;
  /** For summaries: whose variables these are. */
  whose: string;
  params: z.ZodType<P>;
  /** None for the team's: tokens limited to a project or environment cannot reach them. */
  targets?: (i: P) => TargetRef[];
  owner: (ctx: TeamContext, i: P) => Promise<OwnerRef>;
  /** What changing them takes (the data layer also holds a protected environment to admins). */
  write: Action;
};

const key = z.object({ key: z.string({ error: "Name the variable's key." }).trim().min(1, "Name the variable's key.").max(128) });
const version = z.object({ versionId: id });

function variableOpsAt<P extends object>(p: Place<P>) {
  const common = { path: `${p.prefix}/variables`, targets: p.targets, tags: ["variables"] };
  const name = (verb: string) => `variables.${p.scope.toLowerCase()}.${verb}`;
  return {
    list: teamOp({
      ...common,
      id: name("list"),
      method: "GET",
      summary: `List ${p.whose} variables, by key. A secret's value is always null.`,
      permission: "project.read",
      input: p.params,
      output: z.object({ variables: z.array(variableSummary) }),
      run: async (ctx, i) => ({ variables: await listVariables(ctx, await p.owner(ctx, i)) }),
    }),
    set: teamOp({
      ...common,
      id: name("set"),
      method: "POST",
      summary: `Set one of ${p.whose} variables (replacing the key's value). A secret is sealed and never shown again. A value whose \${{ references }} do not resolve is refused unless \`force\`.`,
      permission: p.write,
      input: variableInput.and(saveAnywayInput).and(p.params),
      output: savedVariable,
      run: async (ctx, i) => setVariable(ctx, await p.owner(ctx, i), i),
    }),
    remove: teamOp({
      ...common,
      id: name("delete"),
      method: "DELETE",
      summary: `Delete one of ${p.whose} variables (\`key\`); its history stays and can restore it.`,
      permission: p.write,
      input: key.and(p.params),
      output: z.void(),
      status: 204,
      run: async (ctx, i) => deleteVariable(ctx, await p.owner(ctx, i), i.key),
    }),
    history: teamOp({
      ...common,
      id: name("history"),
      path: `${common.path}/history`,
      method: "GET",
      summary: `The history of one of ${p.whose} keys, newest first (the last 100). A secret version says only that it changed.`,
      permission: "project.read",
      input: key.and(p.params),
      output: z.object({ versions: z.array(variableVersion) }),
      run: async (ctx, i) => ({ versions: await variableHistory(ctx, await p.owner(ctx, i), i.key) }),
    }),
    restore: teamOp({
      ...common,
      id: name("restore"),
      path: `${common.path}/restore`,
      method: "POST",
      summary: `Put an earlier version (\`versionId\`, from the history) of one of ${p.whose} variables back, as a new change.`,
      permission: p.write,
      input: version.and(p.params),
      output: savedVariable,
      run: async (ctx, i) => restoreVariableVersion(ctx, await p.owner(ctx, i), i.versionId),
    }),
  };
}

const project = z.object({ project: id });
const environment = project.extend({ env: id });

/** The five operations at each place, by scope: server actions pick by the form's `scope`. */
export const variableOpsByScope = {
  TEAM: variableOpsAt({
    scope: "TEAM",
    prefix: "/teams/{team}",
    whose: "the team's shared",
    params: z.object({}),
    owner: async () => ({ scope: "TEAM" }),
    write: "config.team",
  }),
  PROJECT: variableOpsAt({
    scope: "PROJECT",
    prefix: "/teams/{team}/projects/{project}",
    whose: "a project's shared",
    params: project,
    targets: (i) => [{ project: i.project }],
    owner: async (ctx, i) => ({ scope: "PROJECT", projectId: (await getProject(ctx, i.project)).id }),
    write: "project.write",
  }),
  ENVIRONMENT: variableOpsAt({
    scope: "ENVIRONMENT",
    prefix: "/teams/{team}/projects/{project}/environments/{env}",
    whose: "an environment's",
    params: environment,
    targets: (i) => [{ environment: { project: i.project, env: i.env } }],
    owner: async (ctx, i) => ({ scope: "ENVIRONMENT", environmentId: (await getEnvironment(ctx, i.project, i.env)).env.id }),
    write: "project.write",
  }),
  SERVICE: variableOpsAt({
    scope: "SERVICE",
    prefix: "/teams/{team}/services/{serviceId}",
    whose: "a service's own",
    params: z.object({ serviceId: id }),
    targets: (i) => [{ service: i.serviceId }],
    owner: async (_ctx, i) => ({ scope: "SERVICE", serviceId: i.serviceId }),
    write: "project.write",
  }),
} satisfies Record<VarScope, unknown>;

export const variableOps: Operation[] = Object.values(variableOpsByScope).flatMap((ops) => Object.values(ops));
