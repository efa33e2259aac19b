// Sending one claimed delivery through its channel and recording the outcome: 2xx DELIVERED; a refused
// address, a channel that cannot be opened or a permanent 4xx FAILED at once; anything else tried again on
// the schedule (schedule.ts), FAILED when it is used up.
import type { Claimed, Outcome } from "./store";
import { deliverByEmail, loadChannel, recordOutcome } from "./store";
import { emailMessage, slackBody, webhookBody } from "@/lib/notify/formats";
import type { NotificationMessage } from "./message";
import { type PostOutcome, postJson } from "@/lib/notify/http-post";
import { isPermanentStatus, nextRetryMs } from "@/lib/notify/schedule";
import { openChannelUrl, openSigningSecret } from "@/lib/notify/secrets";
import { signedHeaders } from "@/lib/notify/signing";

export type SendOptions = { timeoutMs: number; schedule: number[] };

/** What the delivery list shows of an answer: its first KB. */
const RESPONSE_KEPT = 1024;

function again(c: Claimed, error: string, schedule: number[], answer: { responseStatus?: number; responseBody?: string } = {}, now = new Date()): Outcome {
  const wait = nextRetryMs(c.attempts, schedule);
  if (wait === null) return { status: "FAILED", error: `${error} (gave up after ${c.attempts} attempts)`, ...answer };
  return { status: "PENDING", nextAttemptAt: new Date(now.getTime() + wait), error, ...answer };
}

export function judge(c: Claimed, r: PostOutcome, schedule: number[]): Outcome {
  switch (r.kind) {
    case "refused":
      return { status: "FAILED", error: `${r.error}; nothing was sent` };
    case "failed":
      return again(c, r.error, schedule);
    case "answered": {
      const answer = { responseStatus: r.status, responseBody: r.body.slice(0, RESPONSE_KEPT) };
      if (r.status >= 200 && r.status < 300) return { status: "DELIVERED", ...answer };
      if (r.status >= 300 && r.status < 400)
        return again(c, `redirected${r.location ? ` to ${r.location}` : ""}; Berth does not follow redirects`, schedule, answer);
      if (isPermanentStatus(r.status))
        return { status: "FAILED", error: `answered ${r.status}: not tried again (resend once the receiver is fixed)`, ...answer };
      return again(c, `answered ${r.status}`, schedule, answer);
    }
    default:
      return r satisfies never;
  }
}

export async function sendDelivery(c: Claimed, opts: SendOptions): Promise<void> {
  const channel = await loadChannel(c.channelId);
  if (!channel) return; // deleted meanwhile: its deliveries went with it
  const message = c.payload as NotificationMessage;
  const fail = (error: string) => recordOutcome(c, { status: "FAILED", error });
  // Disabling a channel stops what it still had to send; a test is what an admin asks of it anyway.
  if (!channel.enabled && c.event !== "test") return void (await fail("the channel is disabled; nothing was sent"));
  if (channel.kind === "email") {
    if (!channel.emails.length) return void (await fail("the channel has no recipients"));
    return deliverByEmail(c, channel.emails, emailMessage(message));
  }
  if (channel.kind !== "webhook" && channel.kind !== "slack") return void (await fail(`unknown channel kind ${channel.kind}`));
  let url: string;
  let headers: Record<string, string> = {};
  const body = channel.kind === "webhook" ? webhookBody(message) : slackBody(message);
  try {
    url = openChannelUrl(channel.id, channel.urlSealed ?? "");
    if (channel.kind === "webhook") {
      if (!channel.signingSecret) return void (await fail("the webhook channel has no signing secret"));
      headers = signedHeaders(openSigningSecret(channel.id, channel.signingSecret), c.id, body);
    }
  } catch (e) {
    return void (await fail(`the channel's URL or secret cannot be opened: ${(e as Error).message}`));
  }
  const answer = await postJson(url, body, headers, { allowPrivateNetworks: channel.allowPrivateNetworks }, { timeoutMs: opts.timeoutMs });
  await recordOutcome(c, judge(c, answer, opts.schedule));
}
