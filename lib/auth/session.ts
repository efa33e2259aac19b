// How every entry point learns who is calling. Pages and actions use requireUser/requireTeam (which
// redirect or throw); route handlers use apiUser (which throws 401 for the handler's error mapper).
import { getServerSession } from "next-auth";
import { notFound, redirect } from "next/navigation";
import { cache } from "react";
import { type Actor, type MyTeam, readMemberships, resolveTeamContext, type TeamContext, teamContextIn } from "@/lib/data/context";
import { findSessionUser } from "@/lib/data/sessions";
import { NotFoundError, UnauthorizedError } from "@/lib/errors";
import type { Principal } from "@/lib/api/principal";
import { authOptions } from "./options";

/** The signed-in user and their session id, re-checked against the database on every request. */
const currentSession = cache(async (): Promise<{ user: Actor; sessionId: string } | null> => {
  const session = (await getServerSession(authOptions)) as { uid?: unknown; sid?: unknown } | null;
  if (typeof session?.uid !== "string" || typeof session.sid !== "string") return null;
  const user = await findSessionUser(session.uid, session.sid);
  return user ? { user, sessionId: session.sid } : null;
});

/** The signed-in user; null when signed out, or when the session was revoked or expired on the server. */
export const currentUser = cache(async (): Promise<Actor | null> => (await currentSession())?.user ?? null);

export async function requireUser(): Promise<Actor> {
  const user = await currentUser();
  if (!user) redirect("/signin");
  return user;
}

/** The signed-in user's teams (and role in each), read once per request: the team switcher and requireTeam. */
const myMemberships = cache(async () => readMemberships(await requireUser()));

export async function myTeams(): Promise<MyTeam[]> {
  return (await myMemberships()).teams;
}

/** For pages: the team context for `slug`, or Next's not-found page when the user is not a member. */
export const requireTeam = cache(async (slug: string): Promise<TeamContext> => {
  const memberships = await myMemberships();
  try {
    return teamContextIn(memberships, slug);
  } catch (e) {
    if (e instanceof NotFoundError) {
      notFound();
    }
    throw e;
  }
});

/** For server actions and route handlers: throws instead of redirecting. */
export async function apiUser(): Promise<Actor> {
  return (await apiSession()).user;
}

/** Like apiUser, with the caller's session id (to keep it while ending the user's others). */
export async function apiSession(): Promise<{ user: Actor; sessionId: string }> {
  const current = await currentSession();
  if (!current) throw new UnauthorizedError();
  return current;
}

/** The caller of a server action or API request as the chain sees it (lib/api/invoke.ts). */
export async function apiPrincipal(): Promise<Principal> {
  const current = await currentSession();
  return current ? { kind: "session", user: current.user, sessionId: current.sessionId } : { kind: "anonymous" };
}

export async function apiTeam(slug: string): Promise<TeamContext> {
  return resolveTeamContext(await apiUser(), String(slug));
}
