// A channel's secrets at rest: its target URL (a Slack incoming-webhook URL is itself a credential) and a
// webhook channel's Standard Webhooks signing secret, both sealed under the master key (lib/crypto/secret-box.ts)
// with associated data binding them to their channel and field. The settings (NCONF) seal them with these;
// the sender opens them right before it sends.
import { randomBytes } from "node:crypto";
import { masterKeysFromEnv, open, seal } from "@/lib/crypto/secret-box";

export const channelUrlAad = (channelId: string) => `notification-channel:${channelId}:url`;
export const channelSecretAad = (channelId: string) => `notification-channel:${channelId}:signing-secret`;

export const sealChannelUrl = (channelId: string, url: string) => seal(url, channelUrlAad(channelId), masterKeysFromEnv());
export const openChannelUrl = (channelId: string, sealed: string) => open(sealed, channelUrlAad(channelId), masterKeysFromEnv());
export const sealSigningSecret = (channelId: string, secret: string) => seal(secret, channelSecretAad(channelId), masterKeysFromEnv());
export const openSigningSecret = (channelId: string, sealed: string) => open(sealed, channelSecretAad(channelId), masterKeysFromEnv());

/** A new Standard Webhooks signing secret: `whsec_` + base64 of 32 random bytes (the spec asks for 24 to 64). */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString("base64")}`;
}

/** The origin of a target URL, which lists may show (never its path or query, which may hold a token). */
export function urlLabel(url: string): string {
  return new URL(url).origin;
}
