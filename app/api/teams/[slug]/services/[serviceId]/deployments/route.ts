import { apiTeam } from "@/lib/auth/session";
import { deployFromGit, listDeployments } from "@/lib/data/deployments";
import { route } from "@/lib/http/route";

type P = { slug: string; serviceId: string };

/** The service's deployments, newest first. */
export const GET = route<P>(async (_req, { slug, serviceId }) => ({ deployments: await listDeployments(await apiTeam(slug), serviceId) }));

/** Deploy: builds the service's branch as it is now. Answers at once with the queued deployment. */
export const POST = route<P>(async (_req, { slug, serviceId }) => {
  const d = await deployFromGit(await apiTeam(slug), serviceId);
  return Response.json(d, { status: 201 });
});
