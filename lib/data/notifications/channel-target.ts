// Where a channel posts, checked when it is saved: the URL's host must be reachable under the outbound rules
// (lib/net/outbound.ts), private addresses only where an admin allowed them for this channel. The sender
// checks again, and pins the address, at send time.
import { assertOutboundAllowed } from "@/lib/net/outbound";
import { ValidationError } from "@/lib/errors";

/** Throws a ValidationError on `url` when the channel may not post there. */
export async function assertChannelUrlAllowed(url: string, allowPrivateNetworks: boolean) {
  // URL keeps an IPv6 literal in brackets; the outbound check takes the bare address.
  const host = new URL(url).hostname.replace(/^\[(.*)\]$/, "$1");
  try {
    await assertOutboundAllowed("url", "Refused address", host, { allowPrivateNetworks });
  } catch (e) {
    // The outbound rules name the Docker host's setting; a channel has its own.
    if (!(e instanceof ValidationError)) throw e;
    const message = e.message.replace("this host does not", "this channel does not").replace("in the host's settings", "for this channel");
    throw new ValidationError(message, { url: [message] });
  }
}
