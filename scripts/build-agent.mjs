// Bundles the host agent into one file run by plain node: no TypeScript loader at run time keeps the
// agent small (it runs on every host). Dependencies stay in node_modules.
import { build } from "esbuild";
import path from "node:path";
import { root } from "./load-env.mjs";

export async function buildAgent() {
  await build({
    entryPoints: [path.join(root, "workers", "agent.ts")],
    outfile: path.join(root, "dist", "agent.cjs"),
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    packages: "external",
    sourcemap: true,
    logLevel: "warning",
  });
}

if (import.meta.url === `file://${process.argv[1]}`) await buildAgent();
