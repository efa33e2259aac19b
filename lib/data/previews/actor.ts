// Who a preview's automatic steps are done by. A webhook or the TTL reaper is no user: audit rows name it
// (`webhook:github`, `system:preview-ttl`) with no user id, and variables it copies carry no editor.
import type { AuditActor } from "../audit";
import type { TeamContext } from "../context";

export const webhookActor = (provider: string): AuditActor => ({ id: null, email: `webhook:${provider}` });
export const reaperActor: AuditActor = { id: null, email: "system:preview-ttl" };

/**
 * The context the variable writers (variables.ts writeVariable) take, for copies a preview makes on its own.
 * Never passed to anything that authorises: it stands for no member.
 */
export function actingContext(team: { id: string; slug: string; name: string }, actor: AuditActor): TeamContext {
  return Object.freeze({ team, actor: { id: actor.id as string, email: actor.email, name: actor.email }, role: "DEVELOPER" as const });
}
