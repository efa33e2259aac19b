// One operation = one thing a client can ask Berth to do: its address, who may call it, the schema of what
// it takes and of what it returns, and the data-layer call. Server actions, the JSON API (and so the CLI)
// and the OpenAPI document are all made from these definitions (lib/api/registry.ts).
import type { z } from "zod";
import type { Actor, TeamContext } from "@/lib/data/context";
import type { Action } from "@/lib/permissions";

export type Method = "GET" | "POST" | "PATCH" | "PUT" | "DELETE";

export type { TargetRef } from "@/lib/data/targets";
import type { TargetRef } from "@/lib/data/targets";

type Common<I extends z.ZodType, O extends z.ZodType> = {
  /** Stable name, e.g. `deployments.create`: the OpenAPI operationId and the audit action for token reads. */
  id: string;
  method: Method;
  /** Under /api/v1, with `{name}` path parameters; `{team}` is the team's slug. */
  path: string;
  summary: string;
  tags?: string[];
  /** Everything the operation takes: path parameters, query (GET) or JSON body, merged. */
  input: I;
  /** What it answers; anything the schema does not name is stripped. A Response passes through (streams, files). */
  output: O;
  /** HTTP status of a success (default 200; 204 when the output is undefined). */
  status?: number;
  /** For the OpenAPI document when the output is not JSON (a stream or a file). */
  produces?: "text/event-stream" | "text/plain" | "application/json";
  /** Request headers read as input fields when the field is absent, e.g. EventSource's Last-Event-ID. */
  headerInputs?: Record<string, string>;
};

/** A team's operation: the caller must be a member (session) or hold a token of the team. */
export type TeamOperation<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> = Common<I, O> & {
  kind: "team";
  /** Checked before the input is read: the role (lib/permissions.ts) and, for a token, the scope it names. */
  permission: Action;
  /** Browser sessions only: API tokens cannot call it (managing tokens themselves). */
  sessionOnly?: boolean;
  /**
   * What it touches. A token limited to a project or environment may call only operations whose targets all
   * lie inside that limit; `"filtered"` operations take the limit into account themselves (lists).
   */
  targets?: ((input: z.output<I>) => TargetRef[]) | "filtered";
  run: (ctx: TeamContext, input: z.output<I>, call: { signal: AbortSignal }) => Promise<z.input<O> | Response>;
};

/** A signed-in user's own operation, outside any team (account, team list). Tokens: only where `tokens` says. */
export type UserOperation<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> = Common<I, O> & {
  kind: "user";
  run: (user: Actor, input: z.output<I>, meta: { sessionId?: string; tokenTeamId?: string; tokenId?: string }) => Promise<z.input<O> | Response>;
  /** API tokens may call it (e.g. "who am I"); otherwise it is for browser sessions only. */
  tokens?: boolean;
};

/** Anyone may call it (sign-up, password reset, an invite's page): the operation checks what it needs itself. */
export type PublicOperation<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> = Common<I, O> & {
  kind: "public";
  run: (input: z.output<I>, meta: { ip: string; user: Actor | null }) => Promise<z.input<O> | Response>;
};

// Any operation, whatever its schemas (a definition's `run` is checked against its own schemas where it is made).
// biome-ignore lint/suspicious/noExplicitAny: the list holds operations of every input type
export type Operation = TeamOperation<any, any> | UserOperation<any, any> | PublicOperation<any, any>;

// Identity functions that keep each definition's input and output types for its `run`.
export const teamOp = <I extends z.ZodType, O extends z.ZodType>(op: Omit<TeamOperation<I, O>, "kind">): TeamOperation<I, O> => ({ kind: "team", ...op });
export const userOp = <I extends z.ZodType, O extends z.ZodType>(op: Omit<UserOperation<I, O>, "kind">): UserOperation<I, O> => ({ kind: "user", ...op });
export const publicOp = <I extends z.ZodType, O extends z.ZodType>(op: Omit<PublicOperation<I, O>, "kind">): PublicOperation<I, O> => ({
  kind: "public",
  ...op,
});

/** A mutation writes; reads (GET) by a token are audited by the chain, mutations by the data layer. */
export const isRead = (op: Operation) => op.method === "GET";
