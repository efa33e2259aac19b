// Builds the agent image `berth-agent:<version>` with the local Docker Engine, from nothing but this machine:
// a `FROM scratch` image holding the agent bundle (scripts/build-agent.mjs), this machine's node, git (with
// its https helper), ssh, ssh-keyscan, tar, sh and caddy, each with the shared libraries ldd lists, the CA
// bundle, and a minimal /etc. Then `docker save`s it, gzip'd, to .berth/agent-image/berth-agent.tar.gz with
// manifest.json {version, tag, sha256, bytes} beside it: what Berth serves to hosts (lib/hosts/agent-image.ts).
// Skipped when nothing it is made of changed since the last build (the manifest keeps a hash of the inputs).
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import zlib from "node:zlib";
import { agentBundle, buildAgent } from "./build-agent.mjs";
import { root } from "./load-env.mjs";

export const imageDir = path.join(root, ".berth", "agent-image");
const dockerfile = path.join(root, "scripts", "agent-image", "Dockerfile");

// Programs the agent runs (git's https helper is a program of its own; ssh clones run ssh through `sh -c`,
// as git runs GIT_SSH_COMMAND; builds tar the checkout), and caddy for the proxy container.
const PROGRAMS = [
  "/usr/bin/node",
  "/usr/bin/git",
  "/usr/lib/git-core/git-remote-http",
  "/usr/bin/ssh",
  "/usr/bin/ssh-keyscan",
  "/usr/bin/tar",
  "/usr/bin/caddy",
];
const SHELL = "/usr/bin/dash";
const CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt";

// Debian's merged /usr: /bin, /lib and /lib64 are links into /usr, in the image too.
const MERGED = { bin: "usr/bin", lib: "usr/lib", lib64: "usr/lib64", sbin: "usr/sbin" };
const LINKS = {
  ...MERGED,
  "usr/lib/git-core/git-remote-https": "git-remote-http",
  "usr/lib/git-core/git": "/usr/bin/git",
};
const TEXT = {
  // ssh wants a user for uid 0 (and a home for ~/.ssh); glibc reads these through nsswitch.
  "etc/passwd": "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n",
  "etc/group": "root:x:0:\nnogroup:x:65534:\n",
  "etc/nsswitch.conf": "passwd: files\ngroup: files\nhosts: files dns\n",
};
const DIRS = { tmp: 0o1777, root: 0o700, "var/lib/berth-agent": 0o700, "usr/share/git-core/templates": 0o755 };

const inUsr = (p) => p.replace(/^\/(bin|lib|lib64|sbin)\//, (_, d) => `/${MERGED[d]}/`);

/** The shared libraries a program loads (none for a static one), as ldd names them. */
function libraries(program) {
  const r = spawnSync("ldd", [program], { encoding: "utf8" });
  if (r.status !== 0) return []; // "not a dynamic executable"
  return [...r.stdout.matchAll(/(?:=>\s*)?(\/\S+)\s+\(0x/g)].map((m) => m[1]);
}

/** Every file of the image's root: its path there → the file on this machine it is copied from. */
function plan() {
  const files = new Map();
  for (const program of PROGRAMS) {
    if (!fs.existsSync(program)) throw new Error(`${program} is missing: run scripts/setup.sh (it installs what the agent image copies)`);
    files.set(inUsr(program), program);
    for (const lib of libraries(program)) files.set(inUsr(lib), fs.realpathSync(lib));
  }
  files.set("/usr/bin/sh", SHELL);
  for (const lib of libraries(SHELL)) files.set(inUsr(lib), fs.realpathSync(lib));
  files.set(CA_BUNDLE, fs.realpathSync(CA_BUNDLE));
  return files;
}

function docker(args, opts = {}) {
  return spawnSync("docker", args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, ...opts });
}

/** Docker's own words when it is not reachable, null when it is. */
function dockerProblem() {
  const r = docker(["version", "--format", "{{.Server.Version}}"]);
  if (r.error) return r.error.message;
  return r.status === 0 ? null : (r.stderr || r.stdout).trim().split("\n").pop();
}

function writeRoot(dir, files) {
  for (const [to, from] of files) {
    const dest = path.join(dir, to);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.copyFileSync(from, dest);
    fs.chmodSync(dest, fs.statSync(from).mode & 0o7777);
  }
  for (const [to, target] of Object.entries(LINKS)) {
    const dest = path.join(dir, to);
    if (fs.existsSync(dest)) fs.rmSync(dest, { recursive: true });
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.symlinkSync(target, dest);
  }
  for (const [to, text] of Object.entries(TEXT)) fs.writeFileSync(path.join(dir, to), text, { mode: 0o644 });
  for (const [to, mode] of Object.entries(DIRS)) {
    fs.mkdirSync(path.join(dir, to), { recursive: true });
    fs.chmodSync(path.join(dir, to), mode);
  }
}

/** `docker save`, gzip'd into `file`; returns its SHA-256 and size. */
async function save(tag, file) {
  const child = spawn("docker", ["save", tag], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise((resolve) => child.on("close", resolve));
  const hash = createHash("sha256");
  let bytes = 0;
  const gzip = zlib.createGzip({ level: 6 });
  gzip.on("data", (d) => {
    hash.update(d);
    bytes += d.length;
  });
  await pipeline(child.stdout, gzip, fs.createWriteStream(file));
  const code = await exited;
  if (code !== 0) throw new Error(`docker save ${tag} failed: ${stderr.trim()}`);
  return { sha256: hash.digest("hex"), bytes };
}

/** Runs `fn` holding .berth/agent-image/build.lock: two test runs preparing at once build one after the other. */
async function locked(fn) {
  fs.mkdirSync(imageDir, { recursive: true });
  const lock = path.join(imageDir, "build.lock");
  for (;;) {
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: "wx" });
      break;
    } catch (e) {
      if (e.code !== "EEXIST") throw e;
      const holder = Number(fs.readFileSync(lock, "utf8"));
      if (!isAlive(holder))
        fs.rmSync(lock, { force: true }); // its builder died
      else await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lock, { force: true });
  }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Builds the image and its tarball for `version` unless they are there already; null when Docker is not reachable. */
export function buildAgentImage(version, opts = {}) {
  return locked(() => build(version, opts));
}

async function build(version, { log = console.log }) {
  const tag = `berth-agent:${version}`;
  const manifestFile = path.join(imageDir, "manifest.json");
  const tarball = path.join(imageDir, "berth-agent.tar.gz");
  const files = plan();
  const inputs = createHash("sha256")
    .update(JSON.stringify([version, fs.readFileSync(dockerfile, "utf8"), fs.readFileSync(new URL(import.meta.url), "utf8")]))
    .update(JSON.stringify([...files].map(([to, from]) => [to, from, fs.statSync(from).size, fs.statSync(from).mtimeMs])))
    .digest("hex");
  const previous = fs.existsSync(manifestFile) ? JSON.parse(fs.readFileSync(manifestFile, "utf8")) : null;

  const problem = dockerProblem();
  if (problem) {
    log(`berth: Docker is not reachable (${problem}): the agent image is not built, so hosts cannot be added until it is.`);
    return null;
  }
  if (previous?.inputs === inputs && fs.existsSync(tarball) && docker(["image", "inspect", tag]).status === 0) return previous;

  const started = Date.now();
  const context = path.join(imageDir, "context");
  fs.rmSync(context, { recursive: true, force: true });
  fs.mkdirSync(context, { recursive: true });
  try {
    writeRoot(path.join(context, "rootfs"), files);
    fs.copyFileSync(agentBundle, path.join(context, "agent.cjs"));
    const built = docker(["build", "--quiet", "--tag", tag, "--build-arg", `VERSION=${version}`, "--file", dockerfile, context], {
      env: { ...process.env, DOCKER_BUILDKIT: "0" },
    });
    if (built.status !== 0) throw new Error(`docker build of ${tag} failed: ${(built.stderr || built.stdout).trim()}`);
  } finally {
    fs.rmSync(context, { recursive: true, force: true });
  }
  const partial = `${tarball}.partial`;
  const { sha256, bytes } = await save(tag, partial);
  fs.renameSync(partial, tarball);
  const imageBytes = Number(execFileSync("docker", ["image", "inspect", "--format", "{{.Size}}", tag], { encoding: "utf8" }).trim());
  const manifest = { version, tag, sha256, bytes, imageBytes, inputs, builtAt: new Date().toISOString() };
  fs.writeFileSync(`${manifestFile}.partial`, `${JSON.stringify(manifest, null, 2)}\n`);
  fs.renameSync(`${manifestFile}.partial`, manifestFile);
  removeOlderTags(tag);
  const mb = (n) => `${(n / 1e6).toFixed(1)} MB`;
  log(`berth: built the agent image ${tag} in ${((Date.now() - started) / 1000).toFixed(1)} s (image ${mb(imageBytes)}, tarball ${mb(bytes)})`);
  return manifest;
}

/** Earlier builds' tags, unless a container still uses them (Docker refuses those: an agent or proxy running). */
function removeOlderTags(keep) {
  const tags = docker(["image", "ls", "--format", "{{.Repository}}:{{.Tag}}", "berth-agent"]).stdout?.split("\n").filter(Boolean) ?? [];
  for (const t of tags) if (t !== keep) docker(["image", "rm", t]);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await buildAgentImage(await buildAgent());
}
