// The bench's team, made as a person would: an owner (data layer, as bench/hosts.ts does), an admin API token,
// viewers invited into the team, and hosts added through the JSON API and enrolled at /api/agent/enroll with
// the one-time token their install command carries, exactly as the agent image does (workers/agent/enroll.ts).
import { createApiToken } from "@/lib/data/api-tokens";
import { resolveTeamContext, type TeamContext } from "@/lib/data/context";
import { acceptInvite, createInvite } from "@/lib/data/invites";
import { createTeam, deleteTeam } from "@/lib/data/teams";
import { signUp } from "@/lib/data/users";
import { type EnrollmentCredentials, enrollmentCredentials } from "@/lib/hosts/enrollment";

export const PASSWORD = "bench-password-1";

export type BenchTeam = { slug: string; name: string; ctx: TeamContext; token: string; viewerEmails: string[] };

export async function makeTeam(stamp: string, viewerUsers: number): Promise<BenchTeam> {
  const owner = await signUp({ name: "Bench owner", email: `bench-scale-${stamp}@example.test`, password: PASSWORD });
  const team = await createTeam(owner, { name: `Bench scale ${stamp}` });
  const ctx = await resolveTeamContext(owner, team.slug);
  const { token } = await createApiToken(ctx, { name: "bench", scopes: ["admin"], expiresInDays: 1 });
  const viewerEmails: string[] = [];
  for (let i = 0; i < viewerUsers; i++) {
    const user = await signUp({ name: `Viewer ${i}`, email: `bench-scale-${stamp}-v${i}@example.test`, password: PASSWORD });
    const invite = await createInvite(ctx, { email: user.email, role: "VIEWER" });
    await acceptInvite(user, invite.url.split("/").at(-1)!);
    viewerEmails.push(user.email);
  }
  return { slug: team.slug, name: team.name, ctx, token, viewerEmails };
}

/** The team and everything in it; its hosts' Redis logins and keys go with it (lib/data/teams.ts). */
export async function removeTeam(t: BenchTeam) {
  await deleteTeam(t.ctx, { confirm: t.name });
}

export async function api<T>(baseUrl: string, token: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${baseUrl}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

/** "Add host" through the API, then the install command's token traded for the host's credentials. */
export async function addAndEnroll(baseUrl: string, t: BenchTeam, name: string): Promise<EnrollmentCredentials> {
  const made = await api<{ id: string; install: { curl: string } }>(baseUrl, t.token, "POST", `/teams/${t.slug}/hosts`, { name });
  const m = /\/api\/agent\/install\/([A-Za-z0-9_-]+)/.exec(made.install.curl);
  if (!m) throw new Error(`no enrollment token in the install command: ${made.install.curl}`);
  const res = await fetch(`${baseUrl}/api/agent/enroll`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ token: m[1] }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`enrolling ${name}: ${res.status} ${text.slice(0, 300)}`);
  const creds = enrollmentCredentials.parse(JSON.parse(text));
  if (creds.hostId !== made.id) throw new Error(`enrolled ${creds.hostId}, added ${made.id}`);
  return creds;
}

/** Runs `fn` over `items`, `width` at a time, in order of completion. */
export async function inParallel<T, R>(items: T[], width: number, fn: (x: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}
