#!/usr/bin/env node
// The `berth` command (package.json "bin"): runs the bundled CLI, dist/berth-cli.cjs, building it first
// (scripts/build-cli.mjs, esbuild) when it is missing or older than any of its sources or of cli/.
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const bundle = path.join(root, "dist", "berth-cli.cjs");
const inputs = path.join(root, "dist", "berth-cli.inputs.json");

const mtime = (f) => {
  try {
    return fs.statSync(f).mtimeMs;
  } catch {
    return Number.POSITIVE_INFINITY; // gone: a source was removed or renamed
  }
};

function stale() {
  if (!fs.existsSync(bundle) || !fs.existsSync(inputs)) return true;
  const built = fs.statSync(bundle).mtimeMs;
  const sources = JSON.parse(fs.readFileSync(inputs, "utf8")).map((f) => path.join(root, f));
  // New files in cli/ count too (the directory's own time changes when one is added).
  const dirs = fs.readdirSync(path.join(root, "cli"), { recursive: true, withFileTypes: true }).filter((d) => d.isDirectory());
  const more = [path.join(root, "cli"), ...dirs.map((d) => path.join(d.parentPath ?? d.path, d.name))];
  return [...sources, ...more].some((f) => mtime(f) > built);
}

if (stale()) {
  const { buildCli } = await import("../scripts/build-cli.mjs");
  await buildCli();
}
createRequire(import.meta.url)(bundle);
