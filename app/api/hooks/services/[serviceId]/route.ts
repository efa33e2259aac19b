// Push webhooks from GitHub, GitLab, Gitea or any sender signing Berth's generic format. No session: the
// service's webhook secret, checked against the raw body, is the authorisation.
import { receivePushWebhook } from "@/lib/data/deployments";
import { AppError } from "@/lib/errors";
import { route } from "@/lib/http/route";

const MAX_BODY = 1024 * 1024;

export const POST = route<{ serviceId: string }>(async (req, { serviceId }) => {
  const raw = Buffer.from(await req.arrayBuffer());
  if (raw.length > MAX_BODY) throw new AppError("The webhook body is larger than 1 MB.", 413, "too_large");
  const out = await receivePushWebhook(serviceId, req.headers, raw);
  return Response.json(out.body, { status: out.status });
});
