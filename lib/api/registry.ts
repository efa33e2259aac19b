// Every operation Berth offers, in one list: the JSON API's router, the OpenAPI document and the
// permission walk test all read it. Server actions are made from the same definitions.
import type { Operation } from "./operation";
import { accountOps } from "./operations/account";
import { deploymentOps } from "./operations/deployments";
import { hostOps } from "./operations/hosts";
import { instanceOps } from "./operations/instance";
import { memberOps } from "./operations/members";
import { metaOps } from "./operations/meta";
import { notificationOps } from "./operations/notifications";
import { previewOps } from "./operations/previews";
import { projectOps } from "./operations/projects";
import { serviceOps } from "./operations/services";
import { teamOps } from "./operations/teams";
import { tokenOps } from "./operations/tokens";
import { variableOps } from "./operations/variables";

export const OPERATIONS: readonly Operation[] = [
  ...accountOps,
  ...teamOps,
  ...memberOps,
  ...tokenOps,
  ...instanceOps,
  ...hostOps,
  ...projectOps,
  ...serviceOps,
  ...variableOps,
  ...deploymentOps,
  ...notificationOps,
  ...previewOps,
  ...metaOps,
];
