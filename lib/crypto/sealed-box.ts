// Sealing to a public key: X25519 with a fresh key pair per seal → HKDF-SHA256 → AES-256-GCM (node:crypto
// only, so the host agent's bundle stays small). Only the holder of the matching private key opens it; not
// even the sealer can, afterwards. Host job results travel this way (lib/hosts/reply.ts): the waiting web
// process makes a key pair per call, sends only the public half, and the private half never leaves its memory.
import { createCipheriv, createDecipheriv, createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync, randomBytes, type KeyObject } from "node:crypto";

const VERSION = "x25519v1";
const INFO = "berth sealed box v1";
/** A raw 32-byte X25519 public key, base64url. */
export const PUBLIC_KEY = /^[A-Za-z0-9_-]{43}$/;

export class SealedBoxError extends Error {}

const rawPublic = (k: KeyObject) => k.export({ format: "jwk" }).x as string;
const importPublic = (x: string) => createPublicKey({ key: { kty: "OKP", crv: "X25519", x }, format: "jwk" });
const b64 = (b: Buffer) => b.toString("base64url");

// Both public keys go into the derivation, so a box is bound to the pair that made it.
function boxKey(privateKey: KeyObject, peer: string, ephemeral: string, recipient: string): Buffer {
  const shared = diffieHellman({ privateKey, publicKey: importPublic(peer) });
  return Buffer.from(hkdfSync("sha256", shared, Buffer.from(`${ephemeral}.${recipient}`), INFO, 32));
}

/** Seals `plaintext` for the holder of `recipient`'s private key; `aad` must be given again to open it. */
export function sealTo(recipient: string, plaintext: string, aad: string): string {
  if (!PUBLIC_KEY.test(recipient)) throw new SealedBoxError("not an X25519 public key");
  const eph = generateKeyPairSync("x25519");
  const ephemeral = rawPublic(eph.publicKey);
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", boxKey(eph.privateKey, recipient, ephemeral, recipient), iv);
  cipher.setAAD(Buffer.from(aad));
  const ct = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return [VERSION, ephemeral, b64(iv), b64(cipher.getAuthTag()), b64(ct)].join(".");
}

export type OpeningKey = {
  /** The half to hand out. */
  publicKey: string;
  open(sealed: string, aad: string): string;
};

/** A fresh key pair; the private half stays inside the returned object. */
export function createOpeningKey(): OpeningKey {
  const { publicKey, privateKey } = generateKeyPairSync("x25519");
  const recipient = rawPublic(publicKey);
  return {
    publicKey: recipient,
    open(sealed, aad) {
      const [version, ephemeral, iv, tag, ct, extra] = sealed.split(".");
      if (version !== VERSION || !ephemeral || !PUBLIC_KEY.test(ephemeral) || !iv || !tag || ct === undefined || extra !== undefined) {
        throw new SealedBoxError("not a sealed box");
      }
      try {
        const decipher = createDecipheriv("aes-256-gcm", boxKey(privateKey, ephemeral, ephemeral, recipient), Buffer.from(iv, "base64url"));
        decipher.setAAD(Buffer.from(aad));
        decipher.setAuthTag(Buffer.from(tag, "base64url"));
        return Buffer.concat([decipher.update(Buffer.from(ct, "base64url")), decipher.final()]).toString("utf8");
      } catch {
        throw new SealedBoxError("the box was sealed for another key or context, or was tampered with");
      }
    },
  };
}
