// Sealing a payload for one host: the key is derived from the SHA-256 of the host's Redis password, which
// the control plane stores and the agent computes from its own password. Other hosts cannot read the key
// (their ACL) and a Redis dump alone does not open it.
import { createHash, hkdfSync } from "node:crypto";
import { open, seal } from "@/lib/crypto/secret-box";

// Derived keys by token hash: the control worker seals an answer to every snapshot (33 a second at 1,000 hosts).
const derived = new Map<string, Buffer>();
const MAX_DERIVED = 10_000;

function hostKey(tokenHash: string) {
  let current = derived.get(tokenHash);
  if (!current) {
    current = Buffer.from(hkdfSync("sha256", Buffer.from(tokenHash, "hex"), Buffer.alloc(0), "berth host payload v1", 32));
    if (derived.size >= MAX_DERIVED) derived.clear();
    derived.set(tokenHash, current);
  }
  return { current, previous: [] };
}

export function sealForHost(tokenHash: string, aad: string, payload: unknown): string {
  return seal(JSON.stringify(payload), aad, hostKey(tokenHash));
}

export function openAsHost(password: string, aad: string, sealed: string): unknown {
  return JSON.parse(open(sealed, aad, hostKey(createHash("sha256").update(password).digest("hex"))));
}
