// The install script behind the command "Add host" shows: `curl -fsSL <berth>/api/agent/install/<token> | sh`.
// No session: the one-time token is the authorisation, checked here but used only by the agent's enrollment.
import { installScriptFor } from "@/lib/data/host-enrollment";
import { clientIp } from "@/lib/http/client-ip";
import { route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

export const GET = route<{ token: string }>(async (req, { token }) => {
  const { script, refused } = await installScriptFor(token, clientIp(req.headers));
  // A refusal is answered 200 too, as a script that prints the reason and exits 1: `curl -f` passes nothing
  // of an error response to `sh`, which would then succeed silently. The header tells other clients.
  const headers: Record<string, string> = { "content-type": "text/x-shellscript; charset=utf-8", "cache-control": "no-store" };
  if (refused) headers["x-berth-refused"] = String(refused);
  return new Response(script, { status: 200, headers });
});
