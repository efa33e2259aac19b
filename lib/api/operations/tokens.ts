// API tokens: list, create (the only answer that holds the token), revoke. Browser sessions only: a token
// can neither mint successors nor revoke the others.
import { z } from "zod";
import { createApiToken, createTokenInput, listApiTokens, revokeApiToken, tokenIdInput } from "@/lib/data/api-tokens";
import { apiTokenSummary, createdApiToken } from "../outputs/api-token";
import { teamOp, type Operation } from "../operation";

export const listTokensOp = teamOp({
  id: "tokens.list",
  method: "GET",
  path: "/teams/{team}/tokens",
  summary: "Your API tokens in this team (admins and owners: every member's), with their last use; revoked ones last. Never the tokens themselves.",
  permission: "team.read",
  sessionOnly: true,
  input: z.object({}),
  output: z.object({ tokens: z.array(apiTokenSummary) }),
  run: async (ctx) => ({ tokens: await listApiTokens(ctx) }),
});

export const createTokenOp = teamOp({
  id: "tokens.create",
  method: "POST",
  path: "/teams/{team}/tokens",
  summary:
    "Make an API token for yourself: a name, scopes (read, read:secrets, deploy, write, admin; only those your role allows), days until it expires (0: never), optionally limited to one project or environment. The answer's `token` is shown this once.",
  permission: "team.read",
  sessionOnly: true,
  input: createTokenInput,
  output: createdApiToken,
  status: 201,
  run: (ctx, i) => createApiToken(ctx, i),
});

export const revokeTokenOp = teamOp({
  id: "tokens.revoke",
  method: "DELETE",
  path: "/teams/{team}/tokens/{tokenId}",
  summary: "Revoke a token: it stops working at once and stays listed as revoked. Admins and owners may revoke any member's.",
  permission: "team.read",
  sessionOnly: true,
  input: tokenIdInput,
  output: apiTokenSummary,
  run: (ctx, i) => revokeApiToken(ctx, i.tokenId),
});

export const tokenOps: Operation[] = [listTokensOp, createTokenOp, revokeTokenOp];
