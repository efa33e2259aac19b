// Where a user-steered request goes: the host and port a repository URL or an image reference names.
// Pure; the inputs are already validated (lib/git/url.ts, IMAGE_REF in lib/hosts/service-spec.ts).

export type RepoTarget = { protocol: "https" | "ssh" | "git"; host: string; port: number };

const DEFAULT_PORT = { https: 443, ssh: 22, git: 9418 } as const;

/** The host and port of a normalised repository URL (validateRepoUrl's `url`); null for file://, which is no network. */
export function repoTarget(url: string): RepoTarget | null {
  // scp-like user@host:path, which validateRepoUrl keeps as it is: ssh on its default port.
  const scp = /^[^@/:]+@([^/:]+):/.exec(url);
  if (scp) return { protocol: "ssh", host: scp[1]!.toLowerCase(), port: DEFAULT_PORT.ssh };
  const m = /^(https|ssh|git):\/\/(?:[^@/]+@)?([^/:]+)(?::(\d+))?\//.exec(url);
  if (!m) return null;
  const protocol = m[1] as RepoTarget["protocol"];
  return { protocol, host: m[2]!.toLowerCase(), port: m[3] ? Number(m[3]) : DEFAULT_PORT[protocol] };
}

/**
 * The registry an image reference is pulled from, as Docker reads it: the first path component when it has
 * a "." or ":" or is "localhost", else Docker Hub (null: Docker's default, not a user's choice of address).
 */
export function imageRegistry(image: string): { host: string; port: number | null } | null {
  const slash = image.indexOf("/");
  if (slash < 0) return null;
  const first = image.slice(0, slash);
  if (!/[.:]/.test(first) && first !== "localhost") return null;
  const [host, port] = first.split(":");
  return { host: host!.toLowerCase(), port: port ? Number(port) : null };
}
