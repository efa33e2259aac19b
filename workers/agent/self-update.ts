// An agent running from Berth's image replaces itself with another version (job `agent.update`): it downloads
// the image Berth serves (GET /api/agent/image with the host's credentials, checked against the SHA-256 Berth
// sends), loads it into the engine, and starts a new `berth-agent` container from it with its own mounts,
// environment (the one-time token left out: it is spent), network and restart policy. Once the new agent has
// run for a few seconds the job is answered, and a moment later the old container removes itself. Services
// are containers of their own and keep running throughout; so does the proxy container.
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type Dockerode from "dockerode";
import { berthRequest, errorMessage, readText } from "./berth-http";
import { type AgentConfig, inAgentImage } from "./config";
import { readLogs } from "./docker/logs";
import { inspectOwnContainer, ownContainerName } from "./own-container";
import { AGENT_VERSION } from "./version";

const REPOSITORY = "berth-agent";

export type UpdateOptions = {
  /** How long the new agent must keep running before the old one gives way. */
  settleMs?: number;
  /** How long after answering the job the old container removes itself. */
  retireAfterMs?: number;
};

export async function updateAgent(
  docker: Dockerode,
  cfg: AgentConfig,
  version: string,
  log: (m: string) => void,
  { settleMs = 3000, retireAfterMs = 2000 }: UpdateOptions = {},
): Promise<{ from: string; to: string }> {
  if (!inAgentImage()) {
    throw new Error("This agent runs as a process beside Berth, not from Berth's agent image: it is updated with Berth itself (npm start).");
  }
  if (!cfg.berthUrl) throw new Error("This agent has no Berth address to fetch its image from.");
  if (version === AGENT_VERSION) return { from: AGENT_VERSION, to: version };
  const own = await inspectOwnContainer(docker);
  const tag = await loadImage(docker, cfg, version, log);
  log(`agent ${version} loaded; starting it in place of ${AGENT_VERSION}`);
  await replaceContainer(docker, own, tag, settleMs);
  setTimeout(() => {
    log(`agent ${version} runs; this one (${AGENT_VERSION}) goes`);
    void docker
      .getContainer(own.Id)
      .remove({ force: true, v: false })
      .catch((e) => log(`could not remove the old agent's container: ${(e as Error).message}`));
  }, retireAfterMs);
  return { from: AGENT_VERSION, to: version };
}

/** Downloads Berth's image into a temporary file, checks it, loads it; returns its tag. */
async function loadImage(docker: Dockerode, cfg: AgentConfig, version: string, log: (m: string) => void): Promise<string> {
  const res = await berthRequest(cfg.berthUrl!, "/api/agent/image", { host: cfg, ca: cfg.ca, timeoutMs: 60_000 });
  if (res.statusCode !== 200)
    throw new Error(`Berth refused the agent image (HTTP ${res.statusCode}): ${errorMessage(await readText(res)) || "no reason given"}`);
  const served = res.headers["x-berth-image-version"];
  const expected = res.headers["x-berth-image-sha256"];
  if (typeof served === "string" && served !== version) {
    res.destroy();
    throw new Error(`Berth now serves agent ${served}, not ${version}: update again.`);
  }
  if (typeof expected !== "string" || !/^[0-9a-f]{64}$/.test(expected)) {
    res.destroy();
    throw new Error("Berth sent the agent image without its SHA-256 (x-berth-image-sha256).");
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "berth-agent-update-"));
  const file = path.join(dir, "image.tar.gz");
  try {
    const hash = createHash("sha256");
    const hashing = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        done(null, chunk);
      },
    });
    await pipeline(res, hashing, fs.createWriteStream(file));
    const got = hash.digest("hex");
    if (got !== expected) throw new Error(`The downloaded agent image does not match its SHA-256 (got ${got}, expected ${expected}); nothing was changed.`);
    log(`agent image ${version} downloaded (${fs.statSync(file).size} bytes); loading it`);
    const loaded = await dockerLoad(docker, file);
    const tag = `${REPOSITORY}:${version}`;
    if (!loaded.includes(tag)) throw new Error(`The image Berth served is ${loaded.join(", ") || "untagged"}, not ${tag}; nothing was changed.`);
    const labels = (await docker.getImage(tag).inspect()).Config.Labels ?? {};
    if (labels["berth.agent.version"] !== version)
      throw new Error(`The image ${tag} says it is agent ${labels["berth.agent.version"] ?? "unknown"}; nothing was changed.`);
    return tag;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** `docker load` through the Engine API; returns the tags it loaded. */
async function dockerLoad(docker: Dockerode, file: string): Promise<string[]> {
  const stream = await docker.loadImage(fs.createReadStream(file), { quiet: true });
  const events = await new Promise<{ stream?: string; error?: string }[]>((resolve, reject) =>
    docker.modem.followProgress(stream, (err: Error | null, out: { stream?: string; error?: string }[]) => (err ? reject(err) : resolve(out))),
  );
  const failed = events.find((e) => e.error);
  if (failed) throw new Error(`docker load refused the agent image: ${failed.error}`);
  return events.flatMap((e) => [...(e.stream ?? "").matchAll(/Loaded image: (\S+)/g)].map((m) => m[1]!));
}

// What a container's inspect shows that `docker run` set, and the new agent keeps.
const KEPT_HOST_CONFIG = [
  "Binds",
  "Mounts",
  "NetworkMode",
  "RestartPolicy",
  "LogConfig",
  "ExtraHosts",
  "Dns",
  "DnsOptions",
  "DnsSearch",
  "CapAdd",
  "CapDrop",
  "SecurityOpt",
  "Privileged",
  "Init",
] as const;

/** The old container renamed aside (and no longer restarted), the new one started under its name; undone on failure. */
async function replaceContainer(docker: Dockerode, own: Dockerode.ContainerInspectInfo, image: string, settleMs: number): Promise<void> {
  const name = own.Name.replace(/^\//, "");
  const old = docker.getContainer(own.Id);
  const oldImage = await docker.getImage(own.Image).inspect();
  // What `docker run` added, not what the old image brought (the new image brings its own).
  const imageEnv = new Set(oldImage.Config.Env ?? []);
  const env = (own.Config.Env ?? []).filter((e) => !imageEnv.has(e) && !e.startsWith("BERTH_ENROLL_TOKEN="));
  const imageLabels = oldImage.Config.Labels ?? {};
  const labels = Object.fromEntries(Object.entries(own.Config.Labels ?? {}).filter(([k, v]) => imageLabels[k] !== v));
  // A command given to `docker run` is kept; the image's own is not (the new image brings its own).
  const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
  const command = {
    ...(same(own.Config.Cmd, oldImage.Config.Cmd) ? {} : { Cmd: own.Config.Cmd }),
    ...(same(own.Config.Entrypoint, oldImage.Config.Entrypoint) ? {} : { Entrypoint: own.Config.Entrypoint }),
  };
  const hostConfig = Object.fromEntries(KEPT_HOST_CONFIG.filter((k) => own.HostConfig[k] != null).map((k) => [k, own.HostConfig[k]]));

  await old.rename({ name: `${name}-old-${Date.now()}` });
  await old.update({ RestartPolicy: { Name: "no", MaximumRetryCount: 0 } });
  let fresh: Dockerode.Container | null = null;
  try {
    fresh = await docker.createContainer({ name, Image: image, ...command, Env: env, Labels: labels, HostConfig: hostConfig });
    await fresh.start();
    await new Promise((r) => setTimeout(r, settleMs));
    const { State: state, RestartCount: restarts } = await fresh.inspect();
    // Started again by its restart policy counts as not running: it exited at least once.
    if (!state.Running || state.Restarting || restarts > 0) {
      const last = (await readLogs(docker, fresh.id, { tail: 1 })).pop();
      throw new Error(`The new agent did not keep running${state.Running ? "" : ` (exit ${state.ExitCode})`}${last ? `: ${last.text}` : ""}`);
    }
  } catch (e) {
    await fresh?.remove({ force: true }).catch(() => {});
    await old.rename({ name });
    await old.update({ RestartPolicy: own.HostConfig.RestartPolicy ?? { Name: "no" } });
    throw e;
  }
}

/**
 * On start in the image: containers of agents that replaced themselves but were not removed (the engine
 * restarted meanwhile), then earlier agent images no container uses (Docker refuses to remove one in use, as
 * the proxy container's image may be).
 */
export async function removeRetiredAgents(docker: Dockerode, log: (m: string) => void): Promise<void> {
  const retired = await docker.listContainers({ all: true, filters: { name: [`^/${ownContainerName()}-old-`], status: ["exited", "created", "dead"] } });
  for (const c of retired) {
    await docker
      .getContainer(c.Id)
      .remove({ force: true })
      .then(() => log(`removed ${c.Names[0]?.slice(1)}, left by an agent update`))
      .catch(() => {});
  }
  const own = (await inspectOwnContainer(docker)).Image;
  const images = await docker.listImages({ filters: { reference: [REPOSITORY] } });
  for (const image of images.filter((i) => i.Id !== own)) {
    for (const tag of image.RepoTags ?? [])
      await docker
        .getImage(tag)
        .remove()
        .catch(() => {});
  }
}
