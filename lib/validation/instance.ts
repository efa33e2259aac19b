// The instance settings' inputs: the sign-up policy with its email domains, and where this machine's Docker goes.
import { z } from "zod";
import { slug } from "./fields";

export const SIGNUP_POLICIES = ["OPEN", "INVITE_ONLY", "DOMAINS"] as const;
export const MAX_SIGNUP_DOMAINS = 50;

// Letters, digits and inner dashes per label, at least two labels, a top-level label that is not all digits
// (so no IP addresses); internationalised names in their xn-- form.
const LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
const DOMAIN = new RegExp(`^(?:${LABEL}\\.)+(?!\\d+$)${LABEL}$`);

/** "@a.com", "@a.com or @b.com", "@a.com, @b.com or @c.com". */
export function listDomains(domains: readonly string[]): string {
  const at = domains.map((d) => `@${d}`);
  return at.length <= 1 ? (at[0] ?? "no") : `${at.slice(0, -1).join(", ")} or ${at.at(-1)}`;
}

/** "@a.com or @b.com addresses"; beyond `max` domains, "addresses at 50 domains (@a.com, @b.com, …)". */
export function domainAddresses(domains: readonly string[], max = Number.POSITIVE_INFINITY): string {
  if (domains.length <= max) return `${listDomains(domains)} addresses`;
  return `addresses at ${domains.length} domains (${domains
    .slice(0, max)
    .map((d) => `@${d}`)
    .join(", ")}, …)`;
}

/** The policy in a few words: "open to anyone", "by invitation only", "for @example.com addresses (and invitations)". */
export function describeSignupPolicy(s: { signupPolicy: (typeof SIGNUP_POLICIES)[number]; signupDomains: readonly string[] }, maxDomains = 5): string {
  switch (s.signupPolicy) {
    case "OPEN":
      return "open to anyone";
    case "INVITE_ONLY":
      return "by invitation only";
    case "DOMAINS":
      return `for ${domainAddresses(s.signupDomains, maxDomains)} (and invitations)`;
    default: {
      const never: never = s.signupPolicy;
      return String(never);
    }
  }
}

/** The domain an email address is at, as sign-up compares it (lowercase, exact). */
export function emailDomain(email: string): string {
  return email.slice(email.lastIndexOf("@") + 1).toLowerCase();
}

/**
 * Domains as a form's text (one per line, or separated by commas or spaces) or as a JSON list: each trimmed,
 * lowercased, a leading "@" dropped; checked to be a domain name; duplicates removed; at most 50.
 */
export const signupDomains = z.union([z.string(), z.array(z.string())], { error: "List the email domains, like example.com." }).transform((raw, ctx) => {
  const items = (Array.isArray(raw) ? raw : raw.split(/[\s,;]+/)).map((d) => d.trim().toLowerCase().replace(/^@/, "")).filter(Boolean);
  const out: string[] = [];
  for (const d of items) {
    if (d.length > 253 || !DOMAIN.test(d)) {
      const hint = /[^\x00-\x7f]/.test(d) ? " Write an internationalised name in its xn-- form." : "";
      ctx.addIssue({ code: "custom", message: `"${d.slice(0, 80)}" is not a domain name like example.com.${hint}` });
      return z.NEVER;
    }
    if (!out.includes(d)) out.push(d);
  }
  if (out.length > MAX_SIGNUP_DOMAINS) {
    ctx.addIssue({ code: "custom", message: `List at most ${MAX_SIGNUP_DOMAINS} domains (this is ${out.length}).` });
    return z.NEVER;
  }
  return out;
});

/** Domains left out keep the ones saved (a JSON client may change only the policy). */
export const signupPolicyInput = z.object({
  signupPolicy: z.enum(SIGNUP_POLICIES, { error: "Choose who may sign up: OPEN, INVITE_ONLY or DOMAINS." }),
  signupDomains: signupDomains.optional(),
});

export const attachLocalHostInput = z.object({
  team: z.string({ error: "Choose a team." }).min(1, "Choose a team.").pipe(slug),
});

export type SignupPolicyInput = z.output<typeof signupPolicyInput>;
