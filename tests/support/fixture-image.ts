// A tiny test image built locally from the host's static busybox, because no registry is reachable here.
// Every container the tests create is labelled berth.test=1 so cleanup never touches anyone else's.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, mkdir, rm, rmdir, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type Dockerode from "dockerode";

export const FIXTURE_IMAGE = "berth-fixture/busybox:1";
export const TEST_LABEL = "berth.test";
// Test files run in parallel processes: each removes only its own containers (and those of dead processes).
const OWNER_LABEL = "berth.test.pid";

const BUSYBOX = "/bin/busybox";
const DOCKERFILE = `FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox","--install","-s","/bin"]
CMD ["sh"]
`;
// Test files run in separate worker processes; a lock directory keeps two of them from building at once
// (two simultaneous builds both miss the cache and the tag would move under a container already made).
const LOCK_DIR = path.join(os.tmpdir(), "berth-fixture-image.lock");
const LOCK_STALE_MS = 120_000;

let pending: Promise<string> | null = null;

/** Builds FIXTURE_IMAGE from /bin/busybox unless it exists; returns its image id. */
export function ensureFixtureImage(docker: Dockerode): Promise<string> {
  pending ??= ensure(docker).finally(() => {
    pending = null;
  });
  return pending;
}

async function existingId(docker: Dockerode): Promise<string | null> {
  try {
    return (await docker.getImage(FIXTURE_IMAGE).inspect()).Id;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return null;
    throw err;
  }
}

async function ensure(docker: Dockerode): Promise<string> {
  const deadline = Date.now() + LOCK_STALE_MS;
  for (;;) {
    const id = await existingId(docker);
    if (id) return id;
    if (await tryLock()) break;
    if (Date.now() > deadline) throw new Error(`timed out waiting for another process to build ${FIXTURE_IMAGE}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  try {
    return (await existingId(docker)) ?? (await build(docker));
  } finally {
    await rmdir(LOCK_DIR).catch(() => undefined);
  }
}

async function tryLock(): Promise<boolean> {
  try {
    await mkdir(LOCK_DIR);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    // A lock left behind by a crashed run must not block every later run.
    const age = Date.now() - (await stat(LOCK_DIR).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
    if (age > LOCK_STALE_MS) await rmdir(LOCK_DIR).catch(() => undefined);
    return false;
  }
}

async function build(docker: Dockerode): Promise<string> {
  await buildFrom(docker, DOCKERFILE, FIXTURE_IMAGE, true);
  const id = await existingId(docker);
  if (!id) throw new Error(`building ${FIXTURE_IMAGE} left no image`);
  return id;
}

/** Builds `dockerfile` as `tag`; the context holds the Dockerfile and, with `withBusybox`, /bin/busybox. */
async function buildFrom(docker: Dockerode, dockerfile: string, tag: string, withBusybox: boolean): Promise<void> {
  const ctx = await mkdtemp(path.join(os.tmpdir(), "berth-fixture-"));
  try {
    await writeFile(path.join(ctx, "Dockerfile"), dockerfile);
    // The build context: the Dockerfile from the temp dir and busybox straight from /bin (argument array, no shell).
    const busybox = withBusybox ? ["-C", path.dirname(BUSYBOX), path.basename(BUSYBOX)] : [];
    const tar = spawn("tar", ["-c", "-f", "-", "-C", ctx, "Dockerfile", ...busybox], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let tarErr = "";
    tar.stderr.on("data", (d: Buffer) => (tarErr += d.toString()));
    const tarDone = new Promise<void>((resolve, reject) => {
      tar.on("error", reject);
      tar.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`tar exited ${code}: ${tarErr.trim()}`))));
    });
    const output = await docker.buildImage(tar.stdout, { t: tag, rm: true, forcerm: true, labels: { [TEST_LABEL]: "1" } });
    const events = await new Promise<{ error?: string; errorDetail?: { message?: string } }[]>((resolve, reject) =>
      docker.modem.followProgress(output, (err: Error | null, res: { error?: string }[]) => (err ? reject(err) : resolve(res))),
    );
    await tarDone;
    // The build endpoint answers 200 and reports a failed step inside the stream.
    const failed = events.find((e) => e.error || e.errorDetail);
    if (failed) throw new Error(`building ${tag} failed: ${failed.errorDetail?.message ?? failed.error}`);
  } finally {
    await rm(ctx, { recursive: true, force: true });
  }
}

/**
 * An image only the calling test has: the fixture plus a label with a random value, so its id is its own
 * (an identical build, or another tag on the fixture, shares the fixture's id, never this one's). Remove it
 * with `removeOwnImage` when done.
 */
export async function buildOwnImage(docker: Dockerode): Promise<{ id: string; tag: string }> {
  await ensureFixtureImage(docker);
  const nonce = randomBytes(6).toString("hex");
  const tag = `berth-test-own:${nonce}`;
  await buildFrom(docker, `FROM ${FIXTURE_IMAGE}\nLABEL berth.test.own=${nonce}\n`, tag, false);
  return { id: (await docker.getImage(tag).inspect()).Id, tag };
}

export async function removeOwnImage(docker: Dockerode, image: { id: string }): Promise<void> {
  await docker
    .getImage(image.id)
    .remove({ force: true })
    .catch((err: { statusCode?: number }) => {
      if (err.statusCode !== 404) throw err;
    });
}

/** The labels that mark a container as this test process's own. */
export function testLabels(): Record<string, string> {
  return { [TEST_LABEL]: "1", [OWNER_LABEL]: String(process.pid) };
}

/** The same labels as `docker run` arguments, for tests that create containers with the CLI. */
export function testLabelArgs(): string[] {
  return Object.entries(testLabels()).flatMap(([k, v]) => ["--label", `${k}=${v}`]);
}

export type FixtureOptions = {
  name?: string;
  /** Another image than the fixture (one from `buildOwnImage`). */
  image?: string;
  cmd?: string[];
  tty?: boolean;
  healthcheck?: { test: string[]; intervalMs: number };
  labels?: Record<string, string>;
};

/** Creates and starts a labelled container from the fixture image (default: a long sleep). */
export async function runFixture(docker: Dockerode, opts: FixtureOptions = {}): Promise<Dockerode.Container> {
  await ensureFixtureImage(docker);
  const ns = (ms: number) => ms * 1_000_000; // the Engine takes healthcheck durations in nanoseconds
  const container = await docker.createContainer({
    name: opts.name,
    Image: opts.image ?? FIXTURE_IMAGE,
    Cmd: opts.cmd ?? ["sleep", "3600"],
    Tty: opts.tty ?? false,
    Labels: { ...opts.labels, ...testLabels() },
    Healthcheck: opts.healthcheck
      ? { Test: opts.healthcheck.test, Interval: ns(opts.healthcheck.intervalMs), Timeout: ns(Math.max(opts.healthcheck.intervalMs, 1000)), Retries: 1 }
      : undefined,
    // A stop must not wait the default 10 s for `sleep`, which ignores SIGTERM as PID 1.
    StopTimeout: 1,
  });
  await container.start();
  return container;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Force-removes containers labelled berth.test=1 that this process created, plus any left by a test
 * process that no longer runs; a test file running in parallel keeps its containers. Containers with
 * berth.test=1 but no owner label cannot be told apart and are removed too.
 */
export async function removeTestContainers(docker: Dockerode): Promise<void> {
  const labelled = await docker.listContainers({ all: true, filters: { label: [`${TEST_LABEL}=1`] } });
  const mine = labelled.filter((c) => {
    const pid = Number(c.Labels?.[OWNER_LABEL]);
    return pid === process.pid || !Number.isInteger(pid) || pid <= 0 || !processAlive(pid);
  });
  await Promise.all(
    mine.map((c) =>
      docker
        .getContainer(c.Id)
        .remove({ force: true, v: true })
        .catch((err: { statusCode?: number }) => {
          // Already gone, or being removed by a parallel cleanup: fine.
          if (err.statusCode !== 404 && err.statusCode !== 409) throw err;
        }),
    ),
  );
}
