// An environment's own bridge network, created on first use and found by its exact name. Docker (20.10 at
// least) does not make names unique: its duplicate check is not atomic, so creators racing each other each
// get a network of the same name (20 concurrent creates made 20), and every later use of the name fails
// as "ambiguous". So creating is idempotent in two layers: callers in this agent share one creation per
// name, and whoever finds several networks of the name (other processes, or the past) keeps one and
// removes the rest, all by the same rule, so concurrent creators end with exactly one.
import type Dockerode from "dockerode";

export type NetworkCandidate = { id: string; created: string; inUse: boolean };

/** Docker's creation time (RFC 3339 with up to nanoseconds) as a sortable [seconds, nanoseconds] pair. */
function createdKey(created: string): [number, number] {
  const m = /^(.*?)(?:\.(\d{1,9}))?(Z|[+-]\d\d:?\d\d)$/.exec(created);
  const seconds = m ? Date.parse(`${m[1]}${m[3]}`) / 1000 : Number.NaN;
  if (!m || Number.isNaN(seconds)) return [Number.POSITIVE_INFINITY, 0];
  return [seconds, Number((m[2] ?? "").padEnd(9, "0"))];
}

/**
 * Which of several networks of one name stays: one that containers use (removing it would cut them off),
 * else the oldest; the id breaks ties, so every agent that looks picks the same one.
 */
export function networkToKeep<T extends NetworkCandidate>(nets: T[]): T | undefined {
  return [...nets].sort((a, b) => {
    if (a.inUse !== b.inUse) return a.inUse ? -1 : 1;
    const [as, an] = createdKey(a.created);
    const [bs, bn] = createdKey(b.created);
    return as - bs || an - bn || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  })[0];
}

/** Networks named exactly `name` (Docker's name filter also matches parts of names). */
async function namedExactly(docker: Dockerode, name: string) {
  return (await docker.listNetworks({ filters: { name: [name] } })).filter((n) => n.Name === name);
}

/** Of these networks, the ones containers are attached to, running or stopped (they rejoin when they start). */
async function usedOf(docker: Dockerode, ids: string[]): Promise<Set<string>> {
  const containers = await docker.listContainers({ all: true, filters: { network: ids } });
  return new Set(containers.flatMap((c) => Object.values(c.NetworkSettings?.Networks ?? {}).map((n) => n.NetworkID)));
}

const ROUNDS = 5;

/**
 * Makes sure exactly one network is named `name` and returns its id. Safe to run from several processes at
 * once; a network some containers use is never removed (if several are used, that is an error to show).
 */
export async function convergeNetwork(docker: Dockerode, name: string, labels: Record<string, string>): Promise<string> {
  for (let round = 0; round < ROUNDS; round++) {
    let nets = await namedExactly(docker, name);
    if (nets.length === 0) {
      await docker.createNetwork({ Name: name, Driver: "bridge", Labels: labels, CheckDuplicate: true }).catch((e) => {
        if ((e as { statusCode?: number }).statusCode !== 409) throw e; // already exists: as good as made
      });
      nets = await namedExactly(docker, name);
    }
    if (nets.length === 1) return nets[0]!.Id;
    if (nets.length === 0) continue; // removed meanwhile by someone else: make it again
    const used = await usedOf(
      docker,
      nets.map((n) => n.Id),
    );
    const candidates = nets.map((n) => ({ id: n.Id, created: n.Created ?? "", inUse: used.has(n.Id) }));
    const keep = networkToKeep(candidates)!;
    const extras = candidates.filter((c) => c.id !== keep.id);
    if (extras.some((c) => c.inUse)) {
      throw new Error(
        `Docker has ${nets.length} networks named ${name} and containers use more than one of them; reconnect those containers to one network and remove the others.`,
      );
    }
    // Gone already (another creator removed it), or a container joined meanwhile: the next round looks again.
    for (const c of extras)
      await docker
        .getNetwork(c.id)
        .remove()
        .catch(() => {});
  }
  throw new Error(`Could not settle on one network named ${name}: Docker kept more than one.`);
}

// Creations under way in this agent, by name: concurrent deployments of one environment share one.
const pending = new Map<string, Promise<string>>();

/** The id of the one network named `name`, creating it if needed (see convergeNetwork). */
export function ensureNetwork(docker: Dockerode, name: string, labels: Record<string, string>): Promise<string> {
  let p = pending.get(name);
  if (!p) {
    p = convergeNetwork(docker, name, labels).finally(() => pending.delete(name));
    pending.set(name, p);
  }
  return p;
}
