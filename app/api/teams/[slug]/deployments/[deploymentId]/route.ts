import { z } from "zod";
import { apiTeam } from "@/lib/auth/session";
import { cancelDeployment, getDeployment, promoteRelease, rollbackTo } from "@/lib/data/deployments";
import { jsonBody, route } from "@/lib/http/route";
import { parseInput } from "@/lib/validation/parse";

type P = { slug: string; deploymentId: string };

const body = z.discriminatedUnion(
  "action",
  [
    z.object({ action: z.literal("cancel") }),
    z.object({ action: z.literal("rollback") }),
    z.object({ action: z.literal("promote"), environmentId: z.string().min(1, "Choose the environment to promote to.").max(64) }),
  ],
  { error: "Choose one of: cancel, rollback, promote." },
);

/** One deployment: status, timed steps, queue position, commit, error. */
export const GET = route<P>(async (_req, { slug, deploymentId }) => getDeployment(await apiTeam(slug), deploymentId));

/** cancel this deployment; rollback to it, or promote it to another environment (both create a deployment). */
export const POST = route<P>(async (req, { slug, deploymentId }) => {
  const input = parseInput(body, await jsonBody(req));
  const ctx = await apiTeam(slug);
  switch (input.action) {
    case "cancel":
      return cancelDeployment(ctx, deploymentId);
    case "rollback":
      return Response.json(await rollbackTo(ctx, deploymentId), { status: 201 });
    case "promote":
      return Response.json(await promoteRelease(ctx, deploymentId, input.environmentId), { status: 201 });
    default: {
      const never: never = input;
      throw new Error(`unknown action ${JSON.stringify(never)}`);
    }
  }
});
