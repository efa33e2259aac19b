import { apiTeam } from "@/lib/auth/session";
import { containerStats } from "@/lib/data/host-calls";
import { route } from "@/lib/http/route";

type P = { slug: string; hostId: string; dockerId: string };

export const GET = route<P>(async (_req, { slug, hostId, dockerId }) => containerStats(await apiTeam(slug), hostId, dockerId));
