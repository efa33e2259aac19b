import { apiTeam } from "@/lib/auth/session";
import { revokeInvite } from "@/lib/data/invites";
import { route } from "@/lib/http/route";

export const DELETE = route<{ slug: string; id: string }>(async (_req, { slug, id }) => {
  await revokeInvite(await apiTeam(slug), { inviteId: id });
});
