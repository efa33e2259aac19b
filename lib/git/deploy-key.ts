// Deploy keys for cloning private repositories over ssh: an Ed25519 key pair made with node:crypto alone,
// written in the formats OpenSSH reads and writes (no ssh-keygen on the control plane). The public half
// is what the user pastes into GitHub/GitLab; the private half is sealed (lib/crypto/secret-box.ts) and
// handed to the agent, which writes it to a 0600 file for one clone (workers/agent/build/git-auth.ts).
import { createHash, generateKeyPairSync, randomBytes } from "node:crypto";

const KEY_TYPE = "ssh-ed25519";
const MAX_COMMENT = 100;
/** Printable ASCII, space included. Leading and trailing spaces are refused too: they would not survive
 *  a round trip through an authorized_keys line or a web form. */
const COMMENT = /^(?:[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?)?$/;

/** SSH wire encoding (RFC 4251): a uint32 big-endian length, then the bytes. */
function sshString(data: Buffer | string): Buffer {
  const body = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  return Buffer.concat([len, body]);
}

function uint32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

function checkComment(comment: string): void {
  if (typeof comment !== "string") throw new Error("Invalid key comment: expected text");
  if (comment.length > MAX_COMMENT) throw new Error(`Invalid key comment: longer than ${MAX_COMMENT} characters`);
  if (!COMMENT.test(comment)) {
    throw new Error("Invalid key comment: only printable ASCII is allowed (no newlines or control characters, no leading or trailing spaces)");
  }
}

/** A fresh Ed25519 deploy key: `publicKey` is one authorized_keys line (`ssh-ed25519 AAAA… comment`),
 *  `privateKey` an unencrypted `-----BEGIN OPENSSH PRIVATE KEY-----` block ending in a newline. */
export function generateDeployKey(comment: string): { publicKey: string; privateKey: string } {
  checkComment(comment);
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  // The JWK export is the simplest way to the raw 32-byte halves: x is the public point, d the seed.
  const pub = Buffer.from(publicKey.export({ format: "jwk" }).x!, "base64url");
  const seed = Buffer.from(privateKey.export({ format: "jwk" }).d!, "base64url");
  if (pub.length !== 32 || seed.length !== 32) throw new Error("Unexpected Ed25519 key length from node:crypto");

  const pubBlob = Buffer.concat([sshString(KEY_TYPE), sshString(pub)]);

  // PROTOCOL.key in OpenSSH's sources. The private section starts with the same random 32-bit value
  // twice (a decryption check, meaningful only with a cipher), then the key, whose secret part is
  // OpenSSH's 64-byte form: seed followed by the public point, then the comment, then padding bytes
  // 1, 2, 3… up to a multiple of the cipher's block size (8 for "none").
  const check = randomBytes(4).readUInt32BE(0);
  let section = Buffer.concat([uint32(check), uint32(check), sshString(KEY_TYPE), sshString(pub), sshString(Buffer.concat([seed, pub])), sshString(comment)]);
  const pad = (8 - (section.length % 8)) % 8;
  section = Buffer.concat([section, Buffer.from(Array.from({ length: pad }, (_, i) => i + 1))]);

  const body = Buffer.concat([
    Buffer.from("openssh-key-v1\0", "latin1"),
    sshString("none"), // cipher
    sshString("none"), // kdf
    sshString(""), // kdf options
    uint32(1), // number of keys
    sshString(pubBlob),
    sshString(section),
  ]);
  seed.fill(0);
  // ssh-keygen wraps the base64 at 70 columns.
  const lines = body.toString("base64").match(/.{1,70}/g)!;
  body.fill(0);
  section.fill(0);
  return {
    publicKey: `${KEY_TYPE} ${pubBlob.toString("base64")}${comment ? ` ${comment}` : ""}`,
    privateKey: `-----BEGIN OPENSSH PRIVATE KEY-----\n${lines.join("\n")}\n-----END OPENSSH PRIVATE KEY-----\n`,
  };
}

/** `SHA256:<unpadded base64>` of the key blob, as `ssh-keygen -l` prints it. Takes an authorized_keys
 *  style line (`<type> <base64> [comment]`) and checks that the blob names the same key type. */
export function publicKeyFingerprint(publicKey: string): string {
  const m = /^([a-z0-9@.-]+) ([A-Za-z0-9+/]+={0,2})(?: [\x20-\x7e]*)?\s*$/.exec(typeof publicKey === "string" ? publicKey.trim() : "");
  if (!m) throw new Error("Invalid public key: expected a line like `ssh-ed25519 AAAA… comment`");
  const blob = Buffer.from(m[2]!, "base64");
  const typeLen = blob.length >= 4 ? blob.readUInt32BE(0) : -1;
  if (typeLen < 1 || 4 + typeLen > blob.length || blob.subarray(4, 4 + typeLen).toString("latin1") !== m[1]) {
    throw new Error("Invalid public key: the encoded key does not match its type");
  }
  return `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
}
