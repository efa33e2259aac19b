// Hostnames are unique per host: its proxy routes each name to one service, so a service may not claim a
// custom domain, or a generated `<service>.<env>.<project>.<base domain>` name, that another service on the same
// host answers at. Checked inside the saving transaction under an advisory lock per host, so two saves
// racing for one name cannot both pass; every write that changes a host's names (a git service's domains or
// host, an image service's port behind the proxy, the host's base domain) takes the same lock.
import type { Tx } from "@/lib/db";
import { serviceHostnames, type ServicePlace } from "@/lib/deploy/names";
import { ConflictError } from "@/lib/errors";

const ROUTES_LOCK = 0x6268; // advisory lock namespace for host routes ("bh")

async function lockHostRoutes(tx: Tx, hostId: string) {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${ROUTES_LOCK}::int, hashtext(${hostId}))`;
}

type Routed = { id: string; label: string; hostnames: string[] };

/** The services behind the host's proxy (either kind) with the names they answer at, as of now (call under the lock). */
async function routedServices(tx: Tx, hostId: string, baseDomain: string, teamId: string): Promise<Routed[]> {
  const rows = await tx.service.findMany({
    where: { hostId, httpPort: { not: null } },
    select: {
      id: true,
      name: true,
      domains: true,
      environment: { select: { slug: true, name: true, project: { select: { slug: true, name: true, teamId: true } } } },
    },
    orderBy: { id: "asc" },
  });
  return rows.map((s) => ({
    id: s.id,
    // Hosts belong to one team; should a row of another team ever be here, its names stay unnamed.
    label: s.environment.project.teamId === teamId ? `${s.environment.project.name}/${s.environment.name}/${s.name}` : "another team's service",
    hostnames: serviceHostnames(s, baseDomain, s.domains as string[]),
  }));
}

/**
 * Locks the host's routes for this transaction and refuses `place`'s names where another service on the
 * host already answers at them: a ConflictError beside `domains` for a custom domain, or beside
 * `generatedField` for the generated name.
 */
export async function assertHostnamesFree(
  tx: Tx,
  opts: { hostId: string; teamId: string; serviceId: string | null; place: Omit<ServicePlace, "id">; domains: string[]; generatedField: string },
) {
  await lockHostRoutes(tx, opts.hostId);
  const host = await tx.host.findUniqueOrThrow({ where: { id: opts.hostId }, select: { baseDomain: true, name: true } });
  const owner = new Map<string, Routed>();
  for (const s of await routedServices(tx, opts.hostId, host.baseDomain, opts.teamId)) {
    if (s.id !== opts.serviceId) for (const name of s.hostnames) if (!owner.has(name)) owner.set(name, s);
  }
  const [generated, ...custom] = serviceHostnames({ id: opts.serviceId ?? "", ...opts.place }, host.baseDomain, opts.domains);
  const fields: Record<string, string[]> = {};
  for (const name of [generated!, ...custom]) {
    const other = owner.get(name);
    if (!other) continue;
    const field = name === generated ? opts.generatedField : "domains";
    (fields[field] ??= []).push(`${name} is already routed to ${other.label} on ${host.name}.`);
  }
  const messages = Object.values(fields).flat();
  if (messages.length) throw new ConflictError(messages.join(" "), fields);
}

/** Locks the host's routes and refuses a base domain under which two of its services would share a name. */
export async function assertBaseDomainFree(tx: Tx, opts: { hostId: string; teamId: string; baseDomain: string }) {
  await lockHostRoutes(tx, opts.hostId);
  const owner = new Map<string, Routed>();
  for (const s of await routedServices(tx, opts.hostId, opts.baseDomain, opts.teamId)) {
    for (const name of new Set(s.hostnames)) {
      const other = owner.get(name);
      if (other) {
        const message = `With ${opts.baseDomain}, ${name} would be routed to both ${other.label} and ${s.label}.`;
        throw new ConflictError(message, { baseDomain: [message] });
      }
      owner.set(name, s);
    }
  }
}
