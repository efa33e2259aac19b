// Berth's registry token endpoint (`GET /api/registry/token`, Distribution's token spec): a host authenticates
// with HTTP Basic `host-<id>:<password>` (its Redis password) and gets a token for what it asked (`scope`, one
// parameter per repository) narrowed to what lib/registry/access.ts allows; what it may not do is left out of
// the token, not refused. Unknown credentials are a 401. The route and the tests' registry (tests/support/
// berth-registry.ts) serve this same function.
import { z } from "zod";
import { authenticateHost } from "@/lib/data/host-auth";
import { grantForHost, parseScopes } from "./access";
import { REGISTRY_SERVICE } from "./names.mjs";
import { registryToken } from "./token";

const query = z.object({
  service: z.literal(REGISTRY_SERVICE).optional(),
  scope: z.array(z.string().max(1000)).max(50),
});

const problem = (status: number, code: string, message: string, headers: Record<string, string> = {}) =>
  Response.json({ errors: [{ code, message }] }, { status, headers: { "cache-control": "no-store", ...headers } });

export async function handleTokenRequest(req: Request): Promise<Response> {
  const params = new URL(req.url).searchParams;
  const parsed = query.safeParse({ service: params.get("service") ?? undefined, scope: params.getAll("scope") });
  if (!parsed.success) return problem(400, "DENIED", `This token server serves only the service "${REGISTRY_SERVICE}", with at most 50 scopes.`);
  const host = await authenticateHost(req.headers.get("authorization"));
  if (!host) return problem(401, "UNAUTHORIZED", "Unknown host credentials.", { "www-authenticate": 'Basic realm="Berth registry"' });
  const access = grantForHost(host, parseScopes(parsed.data.scope));
  return Response.json(registryToken(access, `host-${host.id}`), { headers: { "cache-control": "no-store" } });
}
