// What an API token may be used for. A token acts only where its scopes AND its maker's current role allow;
// each permission in lib/permissions.ts names the scope it needs.
export const SCOPES = ["read", "read:secrets", "deploy", "write", "admin"] as const;
export type Scope = (typeof SCOPES)[number];

/** A granted scope also grants these (admin grants everything). */
const IMPLIES: Record<Scope, readonly Scope[]> = {
  read: [],
  "read:secrets": ["read"],
  deploy: ["read"],
  write: ["read", "deploy"],
  admin: SCOPES,
};

export const SCOPE_HELP: Record<Scope, string> = {
  read: "Read projects, environments, services, deployments, hosts and containers (secret values stay masked).",
  "read:secrets": "Read secret values: .env exports with secrets, container environments.",
  deploy: "Deploy, cancel, roll back and promote; start, stop and restart containers.",
  write: "Change configuration: projects, environments, services, variables (includes deploy).",
  admin: "Everything the member's role allows: hosts, members, team settings, deleting.",
};

export function scopeCovers(granted: readonly Scope[], needed: Scope): boolean {
  return granted.some((g) => g === needed || IMPLIES[g].includes(needed));
}

export function isScope(v: string): v is Scope {
  return (SCOPES as readonly string[]).includes(v);
}
