// The chain every call goes through, whichever door it came in by (server action, JSON API, CLI):
// who is calling → which team → role and token scope → input schema → token limit → the data layer →
// output schema. The data layer checks the team and role again inside its queries; this is where the
// permission table meets the operation, so the walk test can hold every operation to it.
import { recordTokenRead, tokenTeamContext } from "@/lib/data/api-tokens";
import { authorize, resolveTeamContext, type TeamContext } from "@/lib/data/context";
import { assertWithinGrant } from "@/lib/data/targets";
import { ForbiddenError, NotFoundError, UnauthorizedError } from "@/lib/errors";
import { parseInput } from "@/lib/validation/parse";
import { isRead, type Operation, type TeamOperation } from "./operation";
import type { Principal } from "./principal";

/** `signal`: aborted when the caller goes away (a stream stops then). */
export type CallMeta = { ip: string; signal?: AbortSignal };

/** A call as the chain sees it: the team named in the address, and the input, read only once authorised. */
export type Call = { team?: string; input: () => Promise<Record<string, unknown>> | Record<string, unknown> };

const SESSION_ONLY = "API tokens cannot do this; sign in to Berth in a browser.";

export async function invoke(op: Operation, principal: Principal, call: Call, meta: CallMeta): Promise<unknown> {
  switch (op.kind) {
    case "public":
      return finish(op, await op.run(parseInput(op.input, await call.input()), { ip: meta.ip, user: principal.kind === "session" ? principal.user : null }));
    case "user": {
      if (principal.kind === "anonymous") throw new UnauthorizedError();
      if (principal.kind === "token") {
        const ctx = await tokenTeamContext(principal.token, null, meta.ip); // an invalid token is 401 first
        if (!op.tokens) throw new ForbiddenError(SESSION_ONLY);
        return finish(op, await op.run(ctx.actor, parseInput(op.input, await call.input()), { tokenTeamId: ctx.team.id, tokenId: ctx.grant?.tokenId }));
      }
      return finish(op, await op.run(principal.user, parseInput(op.input, await call.input()), { sessionId: principal.sessionId }));
    }
    case "team": {
      const ctx = await teamContext(op, principal, call.team, meta);
      authorize(ctx, op.permission);
      const limited = Boolean(ctx.grant?.projectId || ctx.grant?.environmentId);
      if (limited && !op.targets) await assertWithinGrant(ctx, null);
      const input = parseInput(op.input, { ...(await call.input()), team: ctx.team.slug });
      if (limited && typeof op.targets === "function") await assertWithinGrant(ctx, op.targets(input));
      const out = await op.run(ctx, input, { signal: meta.signal ?? new AbortController().signal });
      if (ctx.grant && isRead(op)) await recordTokenRead(ctx, op.id); // mutations are audited by the data layer
      return finish(op, out);
    }
    default: {
      const never: never = op;
      throw new Error(`unknown operation kind ${JSON.stringify(never)}`);
    }
  }
}

async function teamContext(op: TeamOperation, principal: Principal, team: unknown, meta: CallMeta): Promise<TeamContext> {
  if (principal.kind === "anonymous") throw new UnauthorizedError();
  const slug = typeof team === "string" ? team : "";
  if (principal.kind === "token") {
    const ctx = await tokenTeamContext(principal.token, slug, meta.ip); // 401 before anything else
    if (op.sessionOnly) throw new ForbiddenError(SESSION_ONLY);
    return ctx;
  }
  if (!slug) throw new NotFoundError("Team not found");
  return resolveTeamContext(principal.user, slug);
}

/** The answer through the output schema, so a column the schema does not name never leaves. */
function finish(op: Operation, out: unknown): unknown {
  if (out instanceof Response || out === undefined) return out;
  return parseOutput(op, out);
}

function parseOutput(op: Operation, out: unknown): unknown {
  const r = op.output.safeParse(out);
  if (r.success) return r.data;
  // Our own answer does not fit our own schema: a bug, never the caller's fault.
  throw new Error(
    `${op.id}: answer does not match its output schema: ${r.error.issues.map((i: { path: PropertyKey[]; message: string }) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
  );
}
