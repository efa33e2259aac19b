import { apiTeam } from "@/lib/auth/session";
import { listAudit } from "@/lib/data/audit";
import { route } from "@/lib/http/route";
import { parseInput } from "@/lib/validation/parse";
import { auditFilterInput } from "@/lib/validation/schemas";

export const GET = route<{ slug: string }>(async (req, { slug }) => {
  const ctx = await apiTeam(slug);
  const filter = parseInput(auditFilterInput, Object.fromEntries(new URL(req.url).searchParams));
  return listAudit(ctx, filter);
});
