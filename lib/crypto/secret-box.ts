// Secrets at rest: AES-256-GCM under the master key (BERTH_MASTER_KEY, never the session secret).
// A sealed value names the key that sealed it, so keys can be rotated: BERTH_MASTER_KEY seals,
// BERTH_MASTER_KEYS_PREVIOUS (comma-separated) still open older values until they are re-sealed.
// The associated data binds a ciphertext to where it belongs (e.g. a variable's id and key), so a value
// copied into another row does not open.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

export type MasterKeys = { current: Buffer; previous: Buffer[] };

const VERSION = "v1";

function parseKey(hex: string, name: string): Buffer {
  const key = Buffer.from(hex.trim(), "hex");
  if (key.length !== 32) throw new Error(`${name} must be 64 hex characters (32 bytes).`);
  return key;
}

export function keyId(key: Buffer): string {
  return createHash("sha256").update(key).digest("hex").slice(0, 12);
}

export function masterKeysFromEnv(env: Record<string, string | undefined> = process.env): MasterKeys {
  const current = env.BERTH_MASTER_KEY;
  if (!current) throw new Error("BERTH_MASTER_KEY is not set: run `npm start` once (it generates one) or set it.");
  if (current === env.NEXTAUTH_SECRET) throw new Error("BERTH_MASTER_KEY must differ from the session secret.");
  const previous = (env.BERTH_MASTER_KEYS_PREVIOUS ?? "")
    .split(",")
    .filter((s) => s.trim())
    .map((k, i) => parseKey(k, `BERTH_MASTER_KEYS_PREVIOUS[${i}]`));
  return { current: parseKey(current, "BERTH_MASTER_KEY"), previous };
}

export function seal(plaintext: string, aad: string, keys: MasterKeys): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keys.current, iv);
  cipher.setAAD(Buffer.from(aad));
  const ct = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return [VERSION, keyId(keys.current), iv.toString("base64"), cipher.getAuthTag().toString("base64"), ct.toString("base64")].join(":");
}

export class SecretOpenError extends Error {}

export function open(sealed: string, aad: string, keys: MasterKeys): string {
  const [version, id, ivB64, tagB64, ctB64] = sealed.split(":");
  if (version !== VERSION || !id || ivB64 === undefined || tagB64 === undefined || ctB64 === undefined) throw new SecretOpenError("not a sealed value");
  const key = [keys.current, ...keys.previous].find((k) => keyId(k) === id);
  if (!key) throw new SecretOpenError(`sealed with an unknown master key (${id}): add it to BERTH_MASTER_KEYS_PREVIOUS`);
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(ivB64, "base64"));
    decipher.setAAD(Buffer.from(aad));
    decipher.setAuthTag(Buffer.from(tagB64, "base64"));
    return Buffer.concat([decipher.update(Buffer.from(ctB64, "base64")), decipher.final()]).toString("utf8");
  } catch {
    throw new SecretOpenError("the sealed value was tampered with, or does not belong here");
  }
}

/** Whether a value must be re-sealed under the current key (rotation). */
export function needsReseal(sealed: string, keys: MasterKeys): boolean {
  return sealed.split(":")[1] !== keyId(keys.current);
}
