import { apiTeam } from "@/lib/auth/session";
import { createInvite, listInvites } from "@/lib/data/invites";
import { jsonBody, route } from "@/lib/http/route";

type P = { slug: string };

export const GET = route<P>(async (_req, { slug }) => ({ invites: await listInvites(await apiTeam(slug)) }));

/** Returns the invite link once; only a hash of its token is stored. */
export const POST = route<P>(async (req, { slug }) => ({ invite: await createInvite(await apiTeam(slug), await jsonBody(req)) }));
