// An agent trades its one-time enrollment token for its long-lived credentials (lib/hosts/enrollment.ts).
// No session: the token is the authorisation; it works once, and wrong ones count against the address.
import { exchangeEnrollToken } from "@/lib/data/host-enrollment";
import { clientIp } from "@/lib/http/client-ip";
import { jsonBody, route } from "@/lib/http/route";

export const POST = route(async (req) => {
  const credentials = await exchangeEnrollToken(await jsonBody(req, 4096), clientIp(req.headers));
  return Response.json(credentials, { headers: { "cache-control": "no-store" } });
});
