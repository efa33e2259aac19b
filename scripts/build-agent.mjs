// Bundles the host agent twice, both run by plain node (no TypeScript loader at run time keeps the agent
// small: it runs on every host):
// - dist/agent-image/agent.cjs: ONE file with every dependency inside, for the agent image
//   (scripts/build-agent-image.mjs). Its version is package.json's version and the first 12 hex digits of
//   the SHA-256 of this bundle (built once without a version to hash it, then again with it).
// - dist/agent.cjs: dependencies left in node_modules, for the local agent `npm start` runs beside Berth;
//   it reports the same version, so this machine's agent is never shown as outdated.
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { build } from "esbuild";
import { root } from "./load-env.mjs";

const entry = path.join(root, "workers", "agent.ts");
export const agentBundle = path.join(root, "dist", "agent-image", "agent.cjs");

const common = { entryPoints: [entry], bundle: true, platform: "node", target: "node20", format: "cjs", logLevel: "warning" };
// ssh2 (under dockerode) loads these native add-ons inside try/catch and falls back to JavaScript.
const nativeOptional = ["cpu-features", "*.node"];
const define = (version) => ({ __BERTH_AGENT_VERSION__: JSON.stringify(version) });

/** Builds both bundles; returns the agent's version. */
export async function buildAgent() {
  const { version: pkgVersion } = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
  const full = { ...common, external: nativeOptional, legalComments: "none" };
  const unversioned = await build({ ...full, write: false, outfile: agentBundle, define: define("") });
  const version = `${pkgVersion}-${createHash("sha256").update(unversioned.outputFiles[0].contents).digest("hex").slice(0, 12)}`;
  await build({ ...full, outfile: agentBundle, define: define(version) });
  await build({ ...common, outfile: path.join(root, "dist", "agent.cjs"), packages: "external", sourcemap: true, define: define(version) });
  return version;
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await buildAgent());
