// Tokens for Berth's registry: JWTs signed with ES256 by the key setup made (.berth/tls/registry-token.key),
// carrying its certificate in `x5c`, which the registry checks against `rootcertbundle` (Distribution's token
// auth). The host token endpoint and Berth's own calls (deleting manifests) both sign here.
import { randomBytes, sign } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { RegistryAccess } from "./access";
import { REGISTRY_SERVICE, TOKEN_ISSUER } from "./names.mjs";

/** Long enough for a slow push of a large layer; the registry checks it on every request. */
export const TOKEN_TTL_SECONDS = 900;

export type RegistryTokenAnswer = { token: string; access_token: string; expires_in: number; issued_at: string };

function tokenFiles() {
  const dir = process.env.BERTH_TLS_DIR || path.join(process.cwd(), ".berth", "tls");
  return { key: path.join(dir, "registry-token.key"), cert: path.join(dir, "registry-token.crt") };
}

const b64url = (v: Buffer | string) => Buffer.from(v).toString("base64url");

/** The certificate's DER, base64 (not url-safe: x5c is standard base64). */
function x5c(pem: string): string {
  const body = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(pem)?.[1];
  if (!body) throw new Error("the registry token certificate is not a PEM certificate");
  return body.replace(/\s+/g, "");
}

/** Signs a token granting `access` to `subject` (read from disk each time, so a new key takes effect at once). */
export function registryToken(access: readonly RegistryAccess[], subject = "berth", now = new Date()): RegistryTokenAnswer {
  const files = tokenFiles();
  const key = fs.readFileSync(files.key, "utf8");
  const cert = fs.readFileSync(files.cert, "utf8");
  const iat = Math.floor(now.getTime() / 1000);
  const header = { typ: "JWT", alg: "ES256", x5c: [x5c(cert)] };
  const claims = {
    iss: TOKEN_ISSUER,
    sub: subject,
    aud: REGISTRY_SERVICE,
    exp: iat + TOKEN_TTL_SECONDS,
    nbf: iat - 30, // a registry whose clock is a little behind still accepts it
    iat,
    jti: randomBytes(16).toString("hex"),
    access,
  };
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  const signature = sign("sha256", Buffer.from(input), { key, dsaEncoding: "ieee-p1363" });
  const token = `${input}.${b64url(signature)}`;
  return { token, access_token: token, expires_in: TOKEN_TTL_SECONDS, issued_at: now.toISOString() };
}
