// Bundles the `berth` command line (cli/) into dist/berth-cli.cjs: one file with commander inside, run by
// plain node through cli/berth.mjs. The CLI talks to Berth over HTTP only: the build fails if anything
// outside cli/ and commander gets in but the few pure modules allowed below (no Prisma, Next or Redis).
// Beside the bundle, dist/berth-cli.inputs.json lists its sources, so the launcher sees when it is stale.
import fs from "node:fs";
import path from "node:path";
import { build } from "esbuild";

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
export const cliBundle = path.join(root, "dist", "berth-cli.cjs");
export const cliInputs = path.join(root, "dist", "berth-cli.inputs.json");
const ALLOWED = [/^cli\//, /^node_modules\/commander\//, /^lib\/deploy\/states\.ts$/, /^lib\/scopes\.ts$/];

/** Builds the bundle (`write: false` only checks what it would hold); returns its inputs. */
export async function buildCli({ write = true } = {}) {
  const { version } = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
  const result = await build({
    absWorkingDir: root,
    entryPoints: ["cli/run.ts"],
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    write: false,
    outfile: cliBundle,
    metafile: true,
    legalComments: "none",
    logLevel: "warning",
    define: { __BERTH_CLI_VERSION__: JSON.stringify(version) },
  });
  const inputs = Object.keys(result.metafile.inputs);
  const stray = inputs.filter((f) => !ALLOWED.some((re) => re.test(f)));
  if (stray.length) throw new Error(`The CLI may only use cli/, commander and pure modules; it pulled in: ${stray.join(", ")}`);
  if (!write) return inputs;
  fs.mkdirSync(path.dirname(cliBundle), { recursive: true });
  // Written beside and renamed: a CLI started meanwhile never runs half a file.
  const tmp = `${cliBundle}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, result.outputFiles[0].contents);
  fs.renameSync(tmp, cliBundle);
  fs.writeFileSync(cliInputs, `${JSON.stringify(inputs)}\n`);
  return inputs;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await buildCli();
  console.log(cliBundle);
}
