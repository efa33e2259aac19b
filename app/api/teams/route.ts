import { apiUser } from "@/lib/auth/session";
import { createTeam, listMyTeams } from "@/lib/data/teams";
import { jsonBody, route } from "@/lib/http/route";

export const GET = route(async () => ({ teams: await listMyTeams(await apiUser()) }));

export const POST = route(async (req) => {
  const user = await apiUser();
  return { team: await createTeam(user, await jsonBody(req)) };
});
