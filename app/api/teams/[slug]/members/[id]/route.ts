import { apiTeam } from "@/lib/auth/session";
import { changeMemberRole, removeMember } from "@/lib/data/members";
import { jsonBody, route } from "@/lib/http/route";

type P = { slug: string; id: string };

export const PATCH = route<P>(async (req, { slug, id }) => {
  const body = (await jsonBody(req)) as Record<string, unknown>;
  return { member: await changeMemberRole(await apiTeam(slug), { ...body, membershipId: id }) };
});

export const DELETE = route<P>(async (_req, { slug, id }) => {
  await removeMember(await apiTeam(slug), { membershipId: id });
});
