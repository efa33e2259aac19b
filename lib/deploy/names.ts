// Names a service's releases get on its host: container, network, image tag, proxy route, hostnames, volumes.
// Pure: the control plane names things with it, and the agent finds them again with it.
export type ServicePlace = { id: string; name: string; environment: { slug: string; project: { slug: string } } };

export function containerBase(s: ServicePlace) {
  return `berth-${s.environment.project.slug}-${s.environment.slug}`.slice(0, 100);
}

export function containerName(s: ServicePlace) {
  return `${containerBase(s)}-${s.name}`.slice(0, 128);
}

export function imageRepository(serviceId: string) {
  return `berth-${serviceId.toLowerCase()}`;
}

export function imageTag(serviceId: string, number: number) {
  return `${imageRepository(serviceId)}:${number}`;
}

/** A release's repository in Berth's registry: the team's, under the host that built it (a host may push
 * only under its own id, and pull anything of its team: lib/registry/access.ts). */
export function releaseRepository(teamId: string, hostId: string, serviceId: string) {
  return `${teamId}/${hostId}/${serviceId}`.toLowerCase();
}

export function routeId(serviceId: string) {
  return `svc-${serviceId.toLowerCase()}`;
}

/** `<service>.<environment>.<project>.<base domain>`, then the service's custom domains. */
export function serviceHostnames(s: ServicePlace, baseDomain: string, domains: string[]) {
  return [`${s.name}.${s.environment.slug}.${s.environment.project.slug}.${baseDomain}`, ...domains.filter((d) => d !== baseDomain)];
}

/** The URLs a service answers at through its host's proxy. */
export function serviceUrls(hostnames: string[], port: number) {
  return hostnames.map((h) => `http://${h}${port === 80 ? "" : `:${port}`}/`);
}

/** The labels every container Berth runs for a service carries (the agent and the console find it by them). */
export function serviceLabels(s: ServicePlace): Record<string, string> {
  return { "berth.project": s.environment.project.slug, "berth.environment": s.environment.slug, "berth.service": s.name, "berth.service.id": s.id };
}

/**
 * The Docker volume a service's named volume `name` is, namespaced by its environment's id: services of one
 * environment share their volumes, another environment's (production's, say) cannot be named. The id, not
 * the slugs: it never changes, is unique across teams, and `<project>-<env>-<name>` would be ambiguous.
 */
export function volumeName(environmentId: string, name: string) {
  return `berth-${environmentId}-${name}`;
}
