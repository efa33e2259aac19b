// The Node half of setup: generate the Prisma client, apply migrations, build the web app and the agent image, each only
// when its inputs changed since last time. `--test` prepares the test database instead.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { buildAgent } from "./build-agent.mjs";
import { buildAgentImage } from "./build-agent-image.mjs";
import { loadEnv, root } from "./load-env.mjs";

const bin = (name) => path.join(root, "node_modules", ".bin", name);

function run(cmd, args, env) {
  const r = spawnSync(cmd, args, { cwd: root, env, stdio: "inherit" });
  if (r.status !== 0) {
    console.error(`berth: \`${path.basename(cmd)} ${args.join(" ")}\` failed (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
}

/** A hash of files under the given paths (skipping generated and vendored folders). */
function treeHash(paths) {
  const h = createHash("sha256");
  const walk = (p) => {
    const full = path.join(root, p);
    if (!fs.existsSync(full)) return;
    const st = fs.statSync(full);
    if (st.isDirectory()) {
      if (/(^|\/)(node_modules|\.next|generated|\.berth)$/.test(p)) return;
      for (const e of fs.readdirSync(full).sort()) walk(path.join(p, e));
    } else {
      h.update(p).update(fs.readFileSync(full));
    }
  };
  paths.forEach(walk);
  return h.digest("hex");
}

/** Runs `fn` when the inputs' hash differs from the stamp left by its last successful run. */
function whenChanged(name, inputs, fn) {
  const stamp = path.join(root, ".berth", `${name}.stamp`);
  const sum = treeHash(inputs);
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, "utf8") === sum) return;
  fn();
  fs.mkdirSync(path.dirname(stamp), { recursive: true });
  fs.writeFileSync(stamp, sum);
}

export async function prepare({ test = false, build = true } = {}) {
  const env = loadEnv({ test });
  whenChanged("prisma-generate", ["prisma/schema.prisma", "package-lock.json"], () => run(bin("prisma"), ["generate"], env));
  run(bin("prisma"), ["migrate", "deploy"], env);
  if (build) {
    whenChanged(
      "next-build",
      ["app", "components", "lib", "public", "next.config.js", "postcss.config.mjs", "tsconfig.json", "package-lock.json", "prisma/schema.prisma"],
      () => run(bin("next"), ["build"], { ...env, NEXT_TELEMETRY_DISABLED: "1" }),
    );
  }
  // The agent image hosts load from Berth: built again only when its bundle or what it copies changed (its
  // manifest keeps the inputs' hash); without Docker, Berth runs and the Hosts page says the image is missing.
  const agentVersion = await buildAgent();
  if (build) await buildAgentImage(agentVersion);
  return env;
}
