// Turning a verified push webhook into "deploy commit X of ref Y". Only call this after
// verifyWebhook: the body is attacker-controlled until then.
import { validateCommitSha, validateRef } from "@/lib/git/validate";
import { header, type HeaderSource } from "./headers";
import type { Provider } from "./verify";

export type PushResult = { ok: true; ref: string; branch: string | null; commit: string; deliveryId: string | null } | { ok: false; reason: string };

type Spec = { event: string | null; pushEvents: string[]; delivery: string };

const SPECS: Record<Provider, Spec> = {
  github: { event: "x-github-event", pushEvents: ["push"], delivery: "x-github-delivery" },
  // GitLab reports tag pushes as a separate event with the same body shape.
  gitlab: { event: "x-gitlab-event", pushEvents: ["Push Hook", "Tag Push Hook"], delivery: "x-gitlab-event-uuid" },
  gitea: { event: "x-gitea-event", pushEvents: ["push"], delivery: "x-gitea-delivery" },
  // Berth's own format has no event header: a signed body with ref and after is a push.
  generic: { event: null, pushEvents: [], delivery: "x-berth-delivery" },
};

// Delivery ids become dedupe keys; keep them to the UUID/GUID-like shape all providers use.
const DELIVERY_ID = /^[A-Za-z0-9._-]{1,128}$/;

export function parsePush(provider: Provider, headers: HeaderSource, body: unknown): PushResult {
  const spec = SPECS[provider];
  if (!spec) return { ok: false, reason: `unknown provider "${String(provider)}"` };
  if (spec.event) {
    const event = header(headers, spec.event);
    if (event === null) return { ok: false, reason: "missing event header" };
    if (!spec.pushEvents.includes(event)) return { ok: false, reason: `ignored: "${event}" is not a push event` };
  }

  const delivery = header(headers, spec.delivery);
  if (delivery !== null && !DELIVERY_ID.test(delivery)) return { ok: false, reason: "malformed delivery id" };

  if (typeof body !== "object" || body === null || Array.isArray(body)) return { ok: false, reason: "body is not a JSON object" };
  const b = body as Record<string, unknown>;
  if (typeof b.ref !== "string") return { ok: false, reason: "push has no ref" };
  const ref = b.ref;
  const kind = ref.startsWith("refs/heads/") ? "branch" : ref.startsWith("refs/tags/") ? "tag" : null;
  if (!kind) return { ok: false, reason: "ignored: ref is neither a branch nor a tag" };
  const name = ref.slice(kind === "branch" ? 11 : 10);
  const refCheck = validateRef(name);
  if (!refCheck.ok) return { ok: false, reason: refCheck.error };

  // A deletion carries the all-zero id in "after" (GitLab also nulls checkout_sha): nothing to build.
  const after = b.after;
  if (b.deleted === true || (typeof after === "string" && /^0+$/.test(after))) {
    return { ok: false, reason: `ignored: ${kind} "${name}" was deleted` };
  }
  const raw = provider === "gitlab" && typeof b.checkout_sha === "string" ? b.checkout_sha : after;
  if (typeof raw !== "string") return { ok: false, reason: "push has no commit" };
  const sha = validateCommitSha(raw);
  if (!sha.ok) return { ok: false, reason: sha.error };

  return { ok: true, ref, branch: kind === "branch" ? name : null, commit: sha.sha, deliveryId: delivery };
}
