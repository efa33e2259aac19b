// Push webhooks from GitHub, GitLab, Gitea or any sender signing Berth's generic format. No session: the
// service's webhook secret, checked against the raw body, is the authorisation.
import { receivePushWebhook } from "@/lib/data/deployments";
import { readBody } from "@/lib/http/body";
import { route } from "@/lib/http/route";

const MAX_BODY = 1024 * 1024;

export const POST = route<{ serviceId: string }>(async (req, { serviceId }) => {
  const raw = await readBody(req, MAX_BODY); // refused as soon as it passes the limit, not after buffering it all
  const out = await receivePushWebhook(serviceId, req.headers, raw);
  return Response.json(out.body, { status: out.status });
});
