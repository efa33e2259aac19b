import { apiTeam } from "@/lib/auth/session";
import { deleteTeam, renameTeam, teamOverview } from "@/lib/data/teams";
import { jsonBody, route } from "@/lib/http/route";

type P = { slug: string };

export const GET = route<P>(async (_req, { slug }) => {
  const ctx = await apiTeam(slug);
  return { team: ctx.team, role: ctx.role, ...(await teamOverview(ctx)) };
});

export const PATCH = route<P>(async (req, { slug }) => ({ team: await renameTeam(await apiTeam(slug), await jsonBody(req)) }));

export const DELETE = route<P>(async (req, { slug }) => {
  const ctx = await apiTeam(slug);
  await deleteTeam(ctx, { confirm: new URL(req.url).searchParams.get("confirm") ?? "" });
});
