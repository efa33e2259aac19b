// Members' usernames on git providers ("github:alice"): a pull request one of them opens from the service's
// own repository is a team member's, and its preview needs no approval. Members set their own; admins anyone's.
import { z } from "zod";
import { db } from "@/lib/db";
import { NotFoundError } from "@/lib/errors";
import { id } from "@/lib/validation/fields";
import { parseInput } from "@/lib/validation/parse";
import { recordAudit } from "./audit";
import { authorize, type TeamContext } from "./context";

export const GIT_USERNAME_PROVIDERS = ["github", "gitlab", "gitea"] as const;
export const MAX_GIT_USERNAMES = 10;

// Each provider's own rules for a username (GitHub: 39 characters, single inner dashes; GitLab: 255, no
// leading dot or dash, not ending in .git or .atom; Gitea/Forgejo: 40).
const USERNAME: Record<(typeof GIT_USERNAME_PROVIDERS)[number], (name: string) => boolean> = {
  github: (n) => /^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){0,38}$/.test(n),
  gitlab: (n) => /^[a-z0-9_][a-z0-9_.-]{0,254}$/.test(n) && !/(\.git|\.atom|\.)$/.test(n),
  gitea: (n) => /^[a-z0-9_][a-z0-9_.-]{0,39}$/.test(n) && !n.endsWith("."),
};

/** "provider:username", lowercase (the providers' usernames are case-insensitive). */
export const gitUsername = z
  .string()
  .trim()
  .toLowerCase()
  .superRefine((v, c) => {
    const [provider, name, ...rest] = v.split(":");
    if (!GIT_USERNAME_PROVIDERS.includes(provider as never) || name === undefined || rest.length) {
      c.addIssue({ code: "custom", message: `Write ${JSON.stringify(v)} as provider:username, the provider github, gitlab or gitea.` });
    } else if (!USERNAME[provider as keyof typeof USERNAME](name)) {
      c.addIssue({ code: "custom", message: `${JSON.stringify(name)} is not a valid ${provider} username.` });
    }
  });

export const gitUsernamesInput = z.object({
  membershipId: id,
  /** A JSON list, or a form's text: names separated by commas, spaces or lines. */
  usernames: z.preprocess(
    (v) => (typeof v === "string" ? v.split(/[\s,]+/).filter(Boolean) : v),
    z
      .array(gitUsername, { error: "List the usernames, e.g. github:alice." })
      .max(MAX_GIT_USERNAMES, `At most ${MAX_GIT_USERNAMES} usernames.`)
      .transform((names) => [...new Set(names)]),
  ),
});

/** The caller's own membership in the team and its usernames. */
export async function myGitUsernames(ctx: TeamContext) {
  authorize(ctx, "team.read");
  const m = await db.membership.findFirst({ where: { teamId: ctx.team.id, userId: ctx.actor.id }, select: { id: true, gitUsernames: true } });
  if (!m) throw new NotFoundError("Member not found");
  return { membershipId: m.id, gitUsernames: m.gitUsernames };
}

/** Replaces a member's usernames: one's own as a developer or above, another member's as an admin or owner. Audited. */
export async function setGitUsernames(ctx: TeamContext, input: unknown) {
  authorize(ctx, "member.git-usernames");
  const { membershipId, usernames } = parseInput(gitUsernamesInput, input);
  return db.$transaction(async (tx) => {
    const m = await tx.membership.findFirst({
      where: { id: membershipId, teamId: ctx.team.id },
      select: { id: true, userId: true, gitUsernames: true, user: { select: { email: true } } },
    });
    if (!m) throw new NotFoundError("Member not found");
    if (m.userId !== ctx.actor.id) authorize(ctx, "member.manage");
    const updated = await tx.membership.update({ where: { id: m.id }, data: { gitUsernames: usernames }, select: { id: true, gitUsernames: true } });
    await recordAudit(tx, ctx.actor, {
      teamId: ctx.team.id,
      action: "member.git-usernames",
      target: { type: "member", id: m.userId, label: m.user.email },
      data: { from: m.gitUsernames, to: usernames },
    });
    return { membershipId: updated.id, gitUsernames: updated.gitUsernames };
  });
}
