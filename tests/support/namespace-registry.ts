// A user's own private registry as seen by a second engine (tests/support/second-engine.ts): Debian's
// docker-registry running inside the engine's namespace on its loopback, so that engine pulls from it over plain
// HTTP (Docker trusts 127.0.0.0/8) and nothing else reaches it. Images are built and pushed on that engine.
// This is where a remote host's image service comes from; Berth's own registry then carries releases on.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type Dockerode from "dockerode";
import { FIXTURE_IMAGE } from "./fixture-image";
import type { SecondEngine } from "./second-engine";

async function follow(docker: Dockerode, stream: NodeJS.ReadableStream, what: string) {
  const events = await new Promise<{ error?: string; errorDetail?: { message?: string } }[]>((resolve, reject) =>
    docker.modem.followProgress(stream, (err: Error | null, res: { error?: string }[]) => (err ? reject(err) : resolve(res))),
  );
  const failed = events.find((e) => e.error || e.errorDetail);
  if (failed) throw new Error(`${what} failed: ${failed.errorDetail?.message ?? failed.error}`);
}

export type NamespaceRegistry = Awaited<ReturnType<typeof startNamespaceRegistry>>;

/** Starts the registry on 127.0.0.1:`port` inside the engine's namespace (a fresh namespace has every port free). */
export async function startNamespaceRegistry(engine: SecondEngine, port = 5055) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `berth-nsreg-${engine.name}-`));
  const config = path.join(dir, "config.yml");
  fs.writeFileSync(config, `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${dir}/data\nhttp:\n  addr: 127.0.0.1:${port}\n`);
  const proc = engine.spawn(["docker-registry", "serve", config], { log: path.join(dir, "registry.log") });
  const host = `127.0.0.1:${port}`;
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise((r) => proc.once("exit", r));
      proc.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const until = Date.now() + 15_000;
  while ((await engine.exec(["curl", "-sf", "-o", "/dev/null", `http://${host}/v2/`], { timeoutMs: 3000 })).code !== 0) {
    if (Date.now() > until || proc.exitCode !== null) {
      await stop();
      throw new Error(`docker-registry did not start inside ${engine.name}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    host,
    /** Builds `dockerfile` on the engine as `<host>/<repo>:<tag>`, pushes it and removes it there; returns the reference. */
    async push(repo: string, tag: string, dockerfile: string): Promise<string> {
      const docker = engine.docker;
      if (
        !(await docker
          .getImage(FIXTURE_IMAGE)
          .inspect()
          .then(() => true)
          .catch(() => false))
      )
        await engine.loadImage(FIXTURE_IMAGE);
      const ref = `${host}/${repo}:${tag}`;
      const ctx = fs.mkdtempSync(path.join(dir, "ctx-"));
      fs.writeFileSync(path.join(ctx, "Dockerfile"), dockerfile);
      await follow(docker, await docker.buildImage({ context: ctx, src: ["Dockerfile"] }, { t: ref, rm: true, forcerm: true }), `building ${ref}`);
      await follow(docker, (await docker.getImage(ref).push({ authconfig: { serveraddress: host } })) as NodeJS.ReadableStream, `pushing ${ref}`);
      await docker
        .getImage(ref)
        .remove()
        .catch(() => {});
      return ref;
    },
    stop,
  };
}
