import { apiTeam } from "@/lib/auth/session";
import { listMembers } from "@/lib/data/members";
import { route } from "@/lib/http/route";

export const GET = route<{ slug: string }>(async (_req, { slug }) => ({ members: await listMembers(await apiTeam(slug)) }));
