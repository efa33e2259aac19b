import { apiTeam } from "@/lib/auth/session";
import { exportEnvironment } from "@/lib/data/env-transfer";
import { route } from "@/lib/http/route";

type P = { slug: string; project: string; env: string };

/** The environment's own variables as a .env download; `?secrets=1` includes secrets (admins, audited). */
export const GET = route<P>(async (req, { slug, project, env }) => {
  const includeSecrets = new URL(req.url).searchParams.get("secrets") === "1";
  const text = await exportEnvironment(await apiTeam(slug), project, env, { includeSecrets });
  return new Response(text, {
    headers: {
      "content-type": "text/plain; charset=utf-8",
      "content-disposition": `attachment; filename="${project}-${env}.env"`,
      "cache-control": "no-store",
    },
  });
});
