// Registry tokens for hosts (see lib/registry/token-handler.ts); authenticated by the host's Basic credentials.
import { handleTokenRequest } from "@/lib/registry/token-handler";

export const dynamic = "force-dynamic";

export function GET(req: Request) {
  return handleTokenRequest(req);
}
