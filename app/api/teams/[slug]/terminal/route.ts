import { z } from "zod";
import { apiTeam } from "@/lib/auth/session";
import { openTerminal } from "@/lib/data/terminal";
import { jsonBody, route } from "@/lib/http/route";
import { parseInput } from "@/lib/validation/parse";

const body = z.object({
  hostId: z.string().max(64),
  dockerId: z.string().max(64),
  cols: z.number().int().min(1).max(1000),
  rows: z.number().int().min(1).max(500),
});

export const POST = route<{ slug: string }>(async (req, { slug }) => {
  const b = parseInput(body, await jsonBody(req));
  return openTerminal(await apiTeam(slug), b.hostId, b.dockerId, { cols: b.cols, rows: b.rows });
});
