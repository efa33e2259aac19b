// How every entry point learns who is calling. Pages and actions use requireUser/requireTeam (which
// redirect or throw); route handlers use apiUser (which throws 401 for the handler's error mapper).
import { getServerSession } from "next-auth";
import { notFound, redirect } from "next/navigation";
import { cache } from "react";
import { resolveTeamContext, type Actor, type TeamContext } from "@/lib/data/context";
import { findSessionUser } from "@/lib/data/users";
import { NotFoundError, UnauthorizedError } from "@/lib/errors";
import { authOptions } from "./options";

/** The signed-in user, re-checked against the database on every request; null when signed out. */
export const currentUser = cache(async (): Promise<Actor | null> => {
  const session = (await getServerSession(authOptions)) as { uid?: string; sv?: number } | null;
  if (!session?.uid) return null;
  return findSessionUser(session.uid, session.sv ?? 0);
});

export async function requireUser(): Promise<Actor> {
  const user = await currentUser();
  if (!user) redirect("/signin");
  return user;
}

/** For pages: the team context for `slug`, or Next's not-found page when the user is not a member. */
export const requireTeam = cache(async (slug: string): Promise<TeamContext> => {
  const user = await requireUser();
  try {
    return await resolveTeamContext(user, slug);
  } catch (e) {
    if (e instanceof NotFoundError) {
      notFound();
    }
    throw e;
  }
});

/** For server actions and route handlers: throws instead of redirecting. */
export async function apiUser(): Promise<Actor> {
  const user = await currentUser();
  if (!user) throw new UnauthorizedError();
  return user;
}

export async function apiTeam(slug: string): Promise<TeamContext> {
  return resolveTeamContext(await apiUser(), String(slug));
}
