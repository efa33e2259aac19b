// Human wording for audit actions; unknown actions fall back to their code.
import { describeSignupPolicy } from "@/lib/validation/instance";

type Event = { action: string; targetLabel: string | null; data: unknown };

export function describeAudit(e: Event): string {
  const d = (e.data ?? {}) as Record<string, { from?: string; to?: string } | string | undefined>;
  const change = (k: string) => {
    const v = d[k];
    return typeof v === "object" && v ? `${v.from} → ${v.to}` : "";
  };
  const t = e.targetLabel ?? "";
  switch (e.action) {
    case "team.create":
      return `created the team`;
    case "team.rename":
      return `renamed the team (${change("name")})`;
    case "team.delete":
      return `deleted the team`;
    case "invite.create":
      return `invited ${t} as ${String(d.role ?? "").toLowerCase()}`;
    case "invite.revoke":
      return `revoked the invite for ${t}`;
    case "invite.accept":
      return `joined as ${String(d.role ?? "").toLowerCase()} (accepted an invite)`;
    case "member.role":
      return `changed the role of ${t} (${change("role").toLowerCase()})`;
    case "member.remove":
      return `removed ${t}`;
    case "member.leave":
      return `left the team`;
    case "project.delete":
    case "environment.delete": {
      const services = Array.isArray(d.services) ? d.services.length : 0;
      return `deleted ${e.action === "project.delete" ? "project" : "environment"} ${t}${services ? ` with ${services} service${services === 1 ? "" : "s"}` : ""}`;
    }
    case "token.create":
      return `created API token ${t} (${Array.isArray(d.scopes) ? d.scopes.join(", ") : ""}${d.limit ? `; limited to ${d.limit}` : ""})`;
    case "token.revoke":
      return `revoked API token ${t}`;
    case "service.previews.update":
      return `${d.enabled ? "turned on" : "turned off"} pull request previews of ${t}`;
    case "environment.preview-secrets": {
      const list = (k: string) => (Array.isArray(d[k]) ? (d[k] as unknown as string[]) : []);
      const parts = [
        list("allowed").length ? `allowed ${list("allowed").join(", ")}` : "",
        list("withdrawn").length ? `withdrew ${list("withdrawn").join(", ")}` : "",
      ];
      return `changed the secrets previews of ${t} receive (${parts.filter(Boolean).join("; ") || "no change"})`;
    }
    case "member.git-usernames": {
      const to = Array.isArray(d.to) ? (d.to as unknown as string[]) : [];
      return `set the git usernames of ${t} to ${to.length ? to.join(", ") : "none"}`;
    }
    case "preview.commit-status.failed":
      return `could not post the commit status of ${t} (${String(d.error ?? "")})`;
    case "api.read":
      return `read through the API (${t})`;
    case "instance.local-host.attach":
      return `gave this machine's Docker (${t}) to the team${typeof d.by === "string" ? ` (${d.by})` : ""}`;
    case "instance.local-host.detach":
      return `took this machine's Docker (${t}) from the team`;
    case "instance.signup-policy": {
      const to = d.to as unknown as Parameters<typeof describeSignupPolicy>[0] | undefined;
      return to ? `made sign-up ${describeSignupPolicy(to, 3)}` : "changed the sign-up policy";
    }
    default:
      return `${e.action}${t ? ` on ${t}` : ""}`;
  }
}
