// An agent whose Redis login was refused asks whether its host still exists: 200 with its id, or 401 when the
// host was removed (or its password changed), and the agent then stops for good.
import { requireHost } from "@/lib/data/host-enrollment";
import { clientIp } from "@/lib/http/client-ip";
import { route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

export const GET = route(async (req) => {
  const host = await requireHost(req.headers.get("authorization"), clientIp(req.headers));
  return Response.json({ hostId: host.id }, { headers: { "cache-control": "no-store" } });
});
