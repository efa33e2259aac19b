// Who may sign up (one row, id 1; absent means the defaults): open to anyone, by invitation only (the
// default), or for email addresses at listed domains. The instance owner changes it; signUp() (users.ts)
// asks `signUpRefusal` inside its transaction, so no entry point can go around it. Invites always work:
// they are bound to an email a team admin chose.
import { db, type Tx } from "@/lib/db";
import { ValidationError } from "@/lib/errors";
import type { SignupPolicy } from "@/lib/generated/prisma/enums";
import { domainAddresses, emailDomain, signupPolicyInput } from "@/lib/validation/instance";
import { parseInput } from "@/lib/validation/parse";
import { recordAudit } from "./audit";
import type { Actor } from "./context";
import { requireInstanceOwner } from "./instance-owner";

export type SignupSettings = { signupPolicy: SignupPolicy; signupDomains: string[] };

const DEFAULTS: SignupSettings = { signupPolicy: "INVITE_ONLY", signupDomains: [] };

async function readSettings(client: Tx): Promise<SignupSettings> {
  const row = await client.instanceSettings.findUnique({ where: { id: 1 }, select: { signupPolicy: true, signupDomains: true } });
  return row ?? DEFAULTS;
}

/** What the sign-up page shows before anyone types: whether this is the first account, and the policy. */
export async function signUpPageInfo(): Promise<SignupSettings & { first: boolean }> {
  const [anyone, settings] = await Promise.all([db.user.findFirst({ select: { id: true } }), readSettings(db)]);
  return { first: !anyone, ...settings };
}

/** Why `email` may not sign up without an invite, in words for the form; null when it may. */
export async function signUpRefusal(client: Tx, email: string): Promise<string | null> {
  const { signupPolicy, signupDomains } = await readSettings(client);
  switch (signupPolicy) {
    case "OPEN":
      return null;
    case "INVITE_ONLY":
      return "Sign-up on this Berth is by invitation: ask a team admin to invite you, then follow the link in the invite.";
    case "DOMAINS":
      if (signupDomains.includes(emailDomain(email))) return null;
      return `Sign-up on this Berth is for ${domainAddresses(signupDomains, 10)}: use one, or ask a team admin to invite you.`;
    default: {
      const never: never = signupPolicy;
      throw new Error(`unknown sign-up policy ${never}`);
    }
  }
}

export async function getSignupSettings(actor: Actor): Promise<SignupSettings> {
  await requireInstanceOwner(actor);
  return readSettings(db);
}

/** Sets the policy (and the domains, when given; left out they stay as saved). Audited, instance-wide. */
export async function setSignupPolicy(actor: Actor, input: unknown): Promise<SignupSettings> {
  await requireInstanceOwner(actor);
  const data = parseInput(signupPolicyInput, input);
  return db.$transaction(async (tx) => {
    await requireInstanceOwner(actor, tx);
    const before = await readSettings(tx);
    const next: SignupSettings = { signupPolicy: data.signupPolicy, signupDomains: data.signupDomains ?? before.signupDomains };
    if (next.signupPolicy === "DOMAINS" && next.signupDomains.length === 0) {
      throw new ValidationError("Add at least one email domain, or choose another policy.", { signupDomains: ["Add at least one email domain."] });
    }
    const saved = await tx.instanceSettings.upsert({
      where: { id: 1 },
      create: { id: 1, ...next },
      update: next,
      select: { signupPolicy: true, signupDomains: true },
    });
    await recordAudit(tx, actor, {
      action: "instance.signup-policy",
      target: { type: "instance", label: "Sign-up policy" },
      data: { from: before, to: saved },
    });
    return saved;
  });
}

/** The instance's own audit rows (sign-up policy, this machine's team), newest first, for the instance page. */
export async function listInstanceAudit(actor: Actor, take = 10) {
  await requireInstanceOwner(actor);
  return db.auditEvent.findMany({
    where: { action: { startsWith: "instance." } },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take,
    select: { id: true, actorEmail: true, action: true, targetLabel: true, data: true, createdAt: true, team: { select: { name: true } } },
  });
}
