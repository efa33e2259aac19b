// `npm test` after setup: prepare the test database and the build, run unit, integration and browser
// tests, and end with one line counting passed and failed tests.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { prepare } from "./prepare.mjs";
import { root } from "./load-env.mjs";

// `npm test -- unit` runs one project; `npm test -- e2e e2e/api` also filters its files.
const args = process.argv.slice(2);
const only = args.filter((a) => !a.includes("/"));
const files = args.filter((a) => a.includes("/"));
const projects = only.length ? only : ["unit", "integration", "e2e"];
const env = {
  ...(await prepare({ test: true, build: projects.includes("e2e") })),
  NODE_ENV: "test",
  NEXT_TELEMETRY_DISABLED: "1",
  BERTH_QUEUE_PREFIX: `berth-test-${process.pid}`,
  // Tests deploy from local fixture repositories (file://), which production refuses.
  BERTH_ALLOW_LOCAL_GIT: "1",
};
const totals = { passed: 0, failed: 0, skipped: 0 };
fs.mkdirSync(path.join(root, "test-results"), { recursive: true });

// Format and lint first (Biome: its formatter, its recommended rules and the layering in ARCHITECTURE.md as import rules); it counts as one test.
if (!files.length) {
  const lint = spawnSync(path.join(root, "node_modules", ".bin", "biome"), ["check", "--diagnostic-level=error", "."], { cwd: root, stdio: "inherit" });
  if (lint.status === 0) totals.passed += 1;
  else {
    totals.failed += 1;
    console.error("berth: lint failed (npx biome check . shows each problem; npx biome check --write . fixes formatting)");
  }
}

// One project at a time: the browser tests' server and the integration tests share two cores.
for (const project of projects) {
  const report = path.join(root, "test-results", `${project}.json`);
  fs.rmSync(report, { force: true });
  const r = spawnSync(
    path.join(root, "node_modules", ".bin", "vitest"),
    ["run", "--project", project, ...files, "--reporter=default", "--reporter=json", `--outputFile.json=${report}`],
    { cwd: root, env, stdio: "inherit" },
  );
  const before = totals.failed;
  if (fs.existsSync(report)) {
    const json = JSON.parse(fs.readFileSync(report, "utf8"));
    totals.passed += json.numPassedTests;
    totals.failed += json.numFailedTests;
    totals.skipped += json.numPendingTests + json.numTodoTests;
    // A file that crashed before running its tests counts as a failure too.
    totals.failed += json.testResults.filter((f) => f.status === "failed" && f.assertionResults.length === 0).length;
  } else {
    console.error(`berth: the ${project} tests produced no report`);
  }
  if (r.status !== 0 && totals.failed === before) totals.failed += 1;
}

const { passed, failed, skipped } = totals;
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
