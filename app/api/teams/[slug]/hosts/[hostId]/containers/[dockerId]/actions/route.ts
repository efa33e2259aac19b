import { z } from "zod";
import { apiTeam } from "@/lib/auth/session";
import { actOnContainer } from "@/lib/data/host-calls";
import { CONTAINER_ACTIONS } from "@/lib/hosts/protocol";
import { jsonBody, route } from "@/lib/http/route";
import { parseInput } from "@/lib/validation/parse";

const body = z.object({ action: z.enum(CONTAINER_ACTIONS, { error: `Choose one of: ${CONTAINER_ACTIONS.join(", ")}.` }) });

type P = { slug: string; hostId: string; dockerId: string };

/** Runs start/stop/restart/kill/remove on the host and answers when Docker has done it (or refused). */
export const POST = route<P>(async (req, { slug, hostId, dockerId }) => {
  const { action } = parseInput(body, await jsonBody(req));
  await actOnContainer(await apiTeam(slug), hostId, dockerId, action);
  return { ok: true };
});
