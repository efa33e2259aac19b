import { z } from "zod";
import { apiTeam } from "@/lib/auth/session";
import { containerLogs } from "@/lib/data/host-calls";
import { route } from "@/lib/http/route";
import { parseInput } from "@/lib/validation/parse";

const query = z.object({
  tail: z.coerce.number().int().min(1).max(5000).default(200),
  since: z.coerce.number().int().min(0).optional(),
  timestamps: z.enum(["0", "1"]).default("1"),
});

type P = { slug: string; hostId: string; dockerId: string };

export const GET = route<P>(async (req, { slug, hostId, dockerId }) => {
  const q = parseInput(query, Object.fromEntries(new URL(req.url).searchParams));
  return containerLogs(await apiTeam(slug), hostId, dockerId, { tail: q.tail, since: q.since, timestamps: q.timestamps === "1" });
});
