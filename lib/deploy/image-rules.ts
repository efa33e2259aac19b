// How an image service's deployment runs, decided from its settings. Pure: the control plane writes the
// decision into the spec it seals for the host, and the unit tests state the rules.

type Port = { container: number; host: number | null; protocol: "tcp" | "udp" };
type Volume = { source: string; target: string; readOnly: boolean };

/**
 * "switch": the new container starts beside the old one and takes over once healthy (no downtime), as for
 * git services. "recreate": only where two containers of the service cannot run at once. A published host
 * port can be bound by one container only; a writable named volume must not have two writers (two
 * databases on one data directory corrupt it). The old container stops, the new one starts and is checked,
 * and if it fails the old one starts again.
 */
export function deployStrategy(run: { ports: Port[]; volumes: Volume[] }): { strategy: "switch" | "recreate"; reason: string | null } {
  const fixed = run.ports.find((p) => p.host !== null);
  if (fixed) return { strategy: "recreate", reason: `host port ${fixed.host}/${fixed.protocol} can be published by one container at a time` };
  const writable = run.volumes.find((v) => !v.readOnly);
  if (writable) return { strategy: "recreate", reason: `volume ${writable.source} is writable, and two containers must not write it at once` };
  return { strategy: "switch", reason: null };
}

/**
 * Whether a deployment pulls the reference even when the host has an image by that name: yes for `latest`
 * (or no tag), which names whatever was pushed last; no for another tag or a digest, which are pulled once
 * (Kubernetes' default rule). A redeploy of a re-pushed tag needs `latest` or a new tag.
 */
export function pullsEveryTime(ref: string): boolean {
  if (ref.includes("@")) return false;
  const name = ref.slice(ref.lastIndexOf("/") + 1);
  const colon = name.indexOf(":");
  return colon < 0 || name.slice(colon + 1) === "latest";
}

/** The port a health check probes: the one behind the proxy, else the first TCP port; null: none. */
export function checkedPort(httpPort: number | null, ports: Port[]): number | null {
  return httpPort ?? ports.find((p) => p.protocol === "tcp")?.container ?? null;
}
