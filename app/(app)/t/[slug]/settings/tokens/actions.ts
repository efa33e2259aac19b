"use server";
// API tokens from the settings page: the same operations as the JSON API (lib/api/operations/tokens.ts).
import { formAction } from "@/lib/api/form";
import { createTokenOp, revokeTokenOp } from "@/lib/api/operations/tokens";
import { SCOPES } from "@/lib/scopes";

type Values = Record<string, string>;

const tokensPath = (v: Values) => `/t/${v.team}/settings/tokens`;

/**
 * The form's fields as the operation's input: one checkbox per scope (`scope:deploy`; a form keeps one value
 * per name) and one select for the limit (`project:<id>` or `environment:<id>`; empty: the whole team).
 */
function tokenInput(v: Values): Record<string, unknown> {
  const [kind, id] = (v.limit ?? "").split(/:(.*)/s);
  return {
    name: v.name,
    expiresInDays: v.expiresInDays,
    scopes: SCOPES.filter((s) => v[`scope:${s}`]),
    // Anything but an environment names a project, so a forged value is refused as "not one of this team's".
    ...(kind === "environment" ? { environmentId: id } : kind ? { projectId: id ?? kind } : {}),
  };
}

export const createTokenAction = formAction(createTokenOp, {
  input: tokenInput,
  // No message: the token panel (components/settings/api-token-created.tsx) is the outcome.
  done: (t, v) => ({ revalidate: tokensPath(v), data: { token: t.token, name: t.name } }),
});

export const revokeTokenAction = formAction(revokeTokenOp, {
  done: (t, v) => ({ revalidate: tokensPath(v), message: `${t.name} was revoked: it no longer works.` }),
});
