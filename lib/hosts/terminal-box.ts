// A terminal session's entries, sealed under a key of its own: the agent makes a random key per session and
// hands it to the console inside its sealed reply to `container.exec`; keystrokes (`in`) and output (`out`)
// rest in Redis only sealed, each bound to its stream, and are deleted once read.
import { randomBytes } from "node:crypto";
import { open, seal } from "@/lib/crypto/secret-box";

/** A forgotten session closes itself after this long without keystrokes. */
export const TERMINAL_IDLE_MS = 15 * 60_000;
/** Backstop for streams nobody deletes (an agent or browser gone mid-session), renewed by every write. */
export const TERMINAL_STREAM_TTL_S = 20 * 60;

export function newSessionKey(): string {
  return randomBytes(32).toString("base64");
}

const box = (key: string) => ({ current: Buffer.from(key, "base64"), previous: [] });

export function sealEntry(key: string, stream: string, text: string): string {
  return seal(text, stream, box(key));
}

export function openEntry(key: string, stream: string, sealed: string): string {
  return open(sealed, stream, box(key));
}
