// Releases in Berth's registry: where the host that ran a release pushes it once it is live, and the exact
// reference (by digest) any other host of the team pulls it by for a promotion, a rollback or a moved service.
import fs from "node:fs";
import { env as appEnv } from "@/lib/env";
import { ValidationError } from "@/lib/errors";

export type BerthRegistry = { address: string; ca: string };

// Read again at most once a second: every snapshot's answer names it (33 a second at 1,000 hosts).
const REREAD_MS = 1000;
let read: { at: number; file: string; registry: BerthRegistry | null } = { at: 0, file: "", registry: null };

/** Berth's registry as hosts reach it, with the CA they trust it by; null when this Berth has none (no CA file:
 * a setup of the user's own, without the built-in registry), and releases then stay where they ran. */
export function berthRegistry(): BerthRegistry | null {
  if (Date.now() - read.at < REREAD_MS && read.file === appEnv.caFile) return read.registry;
  let ca: string | null;
  try {
    ca = fs.readFileSync(appEnv.caFile, "utf8");
  } catch {
    ca = null;
  }
  read = { at: Date.now(), file: appEnv.caFile, registry: ca?.includes("BEGIN CERTIFICATE") ? { address: appEnv.publicRegistry, ca } : null };
  return read.registry;
}

type Release = { number: number; registryRepo: string | null; imageDigest: string | null; pushError: string | null };

/** The release's exact image in the registry, `<address>/<repository>@<digest>`, or null if it was never pushed. */
export function releaseRef(r: Release, registry: BerthRegistry | null): string | null {
  return registry && r.registryRepo && r.imageDigest ? `${registry.address}/${r.registryRepo}@${r.imageDigest}` : null;
}

/** The reference another host pulls the release by; says why there is none (nothing else can carry it there). */
export function pullableRef(r: Release, registry: BerthRegistry | null): string {
  const ref = releaseRef(r, registry);
  if (ref) return ref;
  const where = `#${r.number}'s image is on another host`;
  if (!registry) throw new ValidationError(`${where}, and this Berth has no registry to carry it (no CA at ${appEnv.caFile}); deploy it on that host.`);
  if (r.pushError) throw new ValidationError(`${where} and not in Berth's registry: its push failed (${r.pushError}). Deploy it again to push it anew.`);
  throw new ValidationError(`${where} and not in Berth's registry yet (it is pushed right after it goes live); try again in a moment.`);
}
