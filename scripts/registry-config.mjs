// The configuration of a Distribution registry (Debian's docker-registry) that Berth runs: TLS with Berth's
// server certificate, deletes enabled (pruned releases' manifests are deleted, then a garbage-collect run
// reclaims their blobs), and Distribution's token auth with Berth as the token server. One generator for
// setup.sh's registry and the tests' (tests/support/berth-registry.ts). JSON is YAML, so no quoting pitfalls.
//   node scripts/registry-config.mjs <file>   writes Berth's own registry's configuration to <file> (when it
//                                             differs) and prints "changed" when it did
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { REGISTRY_SERVICE, TOKEN_ISSUER } from "../lib/registry/names.mjs";

/**
 * @param {{ addr: string, dataDir: string, tlsDir: string, realm: string, logLevel?: string }} o
 *   addr: what it listens on (`:5000`); tlsDir: holds server.crt/key and registry-token.crt (scripts/tls.sh);
 *   realm: where clients get tokens (`<Berth's public URL>/api/registry/token`).
 */
export function registryConfig({ addr, dataDir, tlsDir, realm, logLevel = "warn" }) {
  const config = {
    version: "0.1",
    log: { level: logLevel, accesslog: { disabled: true } },
    storage: { filesystem: { rootdirectory: dataDir }, delete: { enabled: true } },
    http: {
      addr,
      tls: { certificate: path.join(tlsDir, "server.crt"), key: path.join(tlsDir, "server.key") },
      headers: { "X-Content-Type-Options": ["nosniff"] },
    },
    auth: { token: { realm, service: REGISTRY_SERVICE, issuer: TOKEN_ISSUER, rootcertbundle: path.join(tlsDir, "registry-token.crt") } },
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

/** Berth's own registry's configuration, from Berth's environment (scripts/load-env.mjs). */
export function berthRegistryConfig(env, root) {
  const publicUrl = (env.BERTH_PUBLIC_URL || env.NEXTAUTH_URL).replace(/\/$/, "");
  return registryConfig({
    addr: `:${env.BERTH_REGISTRY_PORT || 5000}`,
    dataDir: path.join(root, ".berth", "registry-data"),
    tlsDir: path.join(root, ".berth", "tls"),
    realm: `${publicUrl}/api/registry/token`,
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = process.argv[2];
  if (!out) {
    console.error("usage: node scripts/registry-config.mjs <file>");
    process.exit(2);
  }
  // No top-level await: TypeScript run by tsx as CommonJS (bench/hosts.ts, through tests/support) requires this module.
  import("./load-env.mjs").then(({ loadEnv, root }) => {
    const text = berthRegistryConfig(loadEnv(), root);
    if (!fs.existsSync(out) || fs.readFileSync(out, "utf8") !== text) {
      fs.writeFileSync(out, text);
      console.log("changed");
    }
  });
}
