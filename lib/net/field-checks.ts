// The API's early check of user-steered addresses, as errors beside the field (the agent checks again
// right before it connects, with its own DNS: see lib/net/outbound.ts).
import { assertOutboundAllowed, type Lookup, type OutboundPolicy } from "./outbound";
import { imageRegistry, repoTarget } from "./targets";

/** `url` as validateRepoUrl normalised it; file:// (test fixtures) goes nowhere on the network. */
export async function assertRepoUrlAllowed(url: string, policy: OutboundPolicy, opts: { field?: string; lookup?: Lookup } = {}) {
  const target = repoTarget(url);
  if (target) await assertOutboundAllowed(opts.field ?? "gitUrl", "Refused repository URL", target.host, policy, opts);
}

/** The registry an image reference names, if it is not Docker Hub. */
export async function assertImageAllowed(image: string, policy: OutboundPolicy, opts: { field?: string; lookup?: Lookup } = {}) {
  const registry = imageRegistry(image);
  if (registry) await assertOutboundAllowed(opts.field ?? "image", "Refused registry", registry.host, policy, opts);
}
