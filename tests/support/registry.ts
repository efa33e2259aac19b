// A private Docker registry for tests that pull: Debian's docker-registry (Distribution 2.8) on a free
// loopback port with its storage in a temporary directory, and images built from the fixture image and
// pushed to it, then removed locally so a deployment really pulls them. Docker trusts 127.0.0.0/8 over
// plain HTTP by default. Everything it made goes with stop().
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import type Dockerode from "dockerode";
import { FIXTURE_IMAGE } from "./fixture-image";

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

function answers(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on("error", () => resolve(false));
    req.on("timeout", () => req.destroy());
  });
}

async function follow(docker: Dockerode, stream: NodeJS.ReadableStream, what: string) {
  const events = await new Promise<{ error?: string; errorDetail?: { message?: string } }[]>((resolve, reject) =>
    docker.modem.followProgress(stream, (err: Error | null, res: { error?: string }[]) => (err ? reject(err) : resolve(res))),
  );
  const failed = events.find((e) => e.error || e.errorDetail);
  if (failed) throw new Error(`${what} failed: ${failed.errorDetail?.message ?? failed.error}`);
}

/**
 * A busybox httpd on port 8080 whose page is $GREETING (or "hello") followed by `content`: each content
 * makes a distinct image, and the page shows which image and which configuration answered.
 */
export function httpdDockerfile(content: string) {
  return `FROM ${FIXTURE_IMAGE}
RUN mkdir -p /www && echo ${JSON.stringify(content)} > /content
CMD ["sh", "-c", "echo \\"\${GREETING:-hello} $(cat /content)\\" > /www/index.html; httpd -f -p 8080 -h /www & trap 'kill $!; exit 0' TERM; wait"]
`;
}

export async function startRegistry(docker: Dockerode) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "berth-registry-"));
  const port = await freePort();
  fs.writeFileSync(
    path.join(dir, "config.yml"),
    `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${dir}/data\nhttp:\n  addr: 127.0.0.1:${port}\n`,
  );
  const proc: ChildProcess = spawn("docker-registry", ["serve", path.join(dir, "config.yml")], { stdio: "ignore" });
  const host = `127.0.0.1:${port}`;
  const until = Date.now() + 15_000;
  while (!(await answers(`http://${host}/v2/`))) {
    if (Date.now() > until || proc.exitCode !== null) throw new Error("docker-registry did not start (is the docker-registry package installed?)");
    await new Promise((r) => setTimeout(r, 100));
  }
  const refs: string[] = [];
  return {
    host,
    /** Builds `dockerfile` as `<host>/<repo>:<tag>`, pushes it, and removes it locally; returns the reference. */
    async push(repo: string, tag: string, dockerfile: string): Promise<string> {
      const ref = `${host}/${repo}:${tag}`;
      const ctx = fs.mkdtempSync(path.join(dir, "ctx-"));
      fs.writeFileSync(path.join(ctx, "Dockerfile"), dockerfile);
      await follow(docker, await docker.buildImage({ context: ctx, src: ["Dockerfile"] }, { t: ref, rm: true, forcerm: true }), `building ${ref}`);
      await follow(docker, (await docker.getImage(ref).push({ authconfig: { serveraddress: host } })) as NodeJS.ReadableStream, `pushing ${ref}`);
      await docker
        .getImage(ref)
        .remove()
        .catch(() => {});
      refs.push(ref);
      return ref;
    },
    /** A reference no image was pushed to. */
    missing: () => `${host}/nothing-${randomBytes(4).toString("hex")}:1`,
    async stop() {
      proc.kill("SIGTERM");
      for (const ref of refs)
        await docker
          .getImage(ref)
          .remove({ force: true })
          .catch(() => {});
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
export type TestRegistry = Awaited<ReturnType<typeof startRegistry>>;
