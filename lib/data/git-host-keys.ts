// The SSH host keys of a git service's server: pinned from what the agent met on the first successful clone,
// an offer recorded when the server later shows another key (that clone failed), and an admin's acceptance of
// the offer. Keys are known_hosts lines filed under the repository's host name; a line for another host (the
// URL changed meanwhile) is never pinned.
import { db, type Tx } from "@/lib/db";
import { ValidationError } from "@/lib/errors";
import { formatKnownHosts, hostKeyFingerprints, parseKnownHosts } from "@/lib/git/known-hosts";
import { repoTarget } from "@/lib/net/targets";
import { recordAudit } from "./audit";
import { authorize, type TeamContext } from "./context";
import { getService } from "./services";

/** The lines for `gitUrl`'s host only, normalised; null when none are valid for it. */
function keysForUrl(text: string, gitUrl: string | null): string | null {
  const target = gitUrl ? repoTarget(gitUrl) : null;
  const parsed = parseKnownHosts(text);
  if (target?.protocol !== "ssh" || !parsed.ok) return null;
  const mine = parsed.keys.filter((k) => k.host === target.host);
  return mine.length ? formatKnownHosts(mine) : null;
}

/** Worker side, with a deployment report: pins keys if none are pinned, records an offered replacement. */
export async function recordReportedHostKeys(tx: Tx, serviceId: string, r: { hostKeys?: string; hostKeyOffer?: string }) {
  if (!r.hostKeys && !r.hostKeyOffer) return;
  const s = await tx.service.findUnique({ where: { id: serviceId }, select: { gitUrl: true } });
  if (!s) return;
  const pin = r.hostKeys ? keysForUrl(r.hostKeys, s.gitUrl) : null;
  // Only the first pin: a later report never replaces what is pinned (that takes an admin).
  if (pin) await tx.service.updateMany({ where: { id: serviceId, gitHostKeys: null }, data: { gitHostKeys: pin, gitHostKeyOffer: null } });
  const offer = r.hostKeyOffer ? keysForUrl(r.hostKeyOffer, s.gitUrl) : null;
  if (offer) await tx.service.updateMany({ where: { id: serviceId, gitHostKeys: { not: null } }, data: { gitHostKeyOffer: offer } });
}

/** After the repository moved to another host, nothing pinned for the old one applies. */
export function hostKeyColumnsAfterUrlChange(before: string | null, after: string): { gitHostKeys?: null; gitHostKeyOffer?: null } {
  const a = before ? repoTarget(before) : null;
  const b = repoTarget(after);
  return a?.host === b?.host && a?.port === b?.port ? {} : { gitHostKeys: null, gitHostKeyOffer: null };
}

/** An admin trusts the key the server offers now: it replaces the pinned keys. Audited with both fingerprints. */
export async function acceptGitHostKey(ctx: TeamContext, serviceId: string, expectedOffer: string) {
  authorize(ctx, "service.git-host-key");
  const s = await getService(ctx, serviceId);
  const row = await db.service.findUniqueOrThrow({ where: { id: s.id }, select: { gitHostKeys: true, gitHostKeyOffer: true } });
  if (!row.gitHostKeyOffer) throw new ValidationError("No other host key is waiting to be accepted.");
  const offered = hostKeyFingerprints(row.gitHostKeyOffer).map((k) => k.fingerprint);
  // The page showed an offer; accept exactly that one, not one that arrived after the admin looked.
  if (offered.join(" ") !== String(expectedOffer))
    throw new ValidationError("The offered key changed since this page was loaded: look at its fingerprint again.");
  const label = `${s.environment.project.name}/${s.environment.name}/${s.name}`;
  await db.$transaction(async (tx) => {
    const { count } = await tx.service.updateMany({
      where: { id: s.id, gitHostKeyOffer: row.gitHostKeyOffer },
      data: { gitHostKeys: row.gitHostKeyOffer, gitHostKeyOffer: null },
    });
    if (count === 0) throw new ValidationError("The offered key changed since this page was loaded: look at its fingerprint again.");
    await recordAudit(tx, ctx.actor, {
      teamId: ctx.team.id,
      action: "service.git-host-key.accept",
      target: { type: "service", id: s.id, label },
      data: {
        from:
          hostKeyFingerprints(row.gitHostKeys)
            .map((k) => k.fingerprint)
            .join(" ") || null,
        to: offered.join(" "),
      },
    });
  });
}
