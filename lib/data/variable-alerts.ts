// "A protected environment's variables changed" (issue #14): told once per mutation (a save, deletion, restore,
// import or promotion), inside its transaction, naming who changed which keys, never a value.
import { randomUUID } from "node:crypto";
import type { Tx } from "@/lib/db";
import { notify } from "@/lib/data/notifications/notify";
import type { TeamContext } from "./context";
import type { Owner } from "./variables";

const VERBS: Record<string, string> = { set: "set", delete: "deleted", restore: "restored", import: "imported", promote: "promoted" };
const KEYS_NAMED = 20;

/** "alice@example.com imported A, B and 3 more into Shop/production": keys only. */
export function variablesChangedDetail(who: string, action: string, keys: string[], label: string): string {
  const named = keys.slice(0, KEYS_NAMED).join(", ");
  const more = keys.length > KEYS_NAMED ? ` and ${keys.length - KEYS_NAMED} more` : "";
  const where = action === "import" || action === "promote" ? "into" : "in";
  return `${who} ${VERBS[action] ?? action} ${named}${more} ${where} ${label}.`;
}

/** Variables of an environment (or of a service in one) that is protected: one notification; others: nothing. */
export async function notifyVariablesChanged(tx: Tx, ctx: TeamContext, o: Owner, keys: string[], action: string): Promise<number> {
  if (!o.env?.protected || keys.length === 0) return 0;
  const [kind, id] = [o.owner.slice(0, o.owner.indexOf(":")), o.owner.slice(o.owner.indexOf(":") + 1)];
  return notify(tx, {
    teamId: ctx.team.id,
    event: "variables.changed",
    key: `variables:${o.owner}:${randomUUID()}`,
    environmentId: kind === "environment" ? id : null,
    serviceId: kind === "service" ? id : null,
    detail: variablesChangedDetail(ctx.actor.tokenName ? `${ctx.actor.email} (token ${ctx.actor.tokenName})` : ctx.actor.email, action, keys, o.label),
  });
}
