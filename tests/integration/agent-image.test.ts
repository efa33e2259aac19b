// The agent image, built as prepare builds it, on the real Docker Engine: what it carries runs (git over https
// and ssh, ssh, caddy, node), the agent in it says clearly that it is not enrolled, the proxy container it
// starts serves through caddy.ts and keeps its routes across a restart, and an agent update replaces a
// container in place (or puts it back when the new one does not keep running).
import { execFile, execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import Dockerode from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildAgent } from "@/scripts/build-agent.mjs";
import { buildAgentImage } from "@/scripts/build-agent-image.mjs";
import { createProxy } from "@/workers/agent/proxy/caddy";
import { ensureProxyContainer, waitForAdmin } from "@/workers/agent/proxy/proxy-container";
import { updateAgent } from "@/workers/agent/self-update";
import { makeBareRepo } from "../support/git-repo";
import { startSshServer } from "../support/ssh-server";

const run = promisify(execFile);
const docker = new Dockerode();
const suffix = `${process.pid}-${Date.now().toString(36)}`;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "berth-agent-image-"));
let image: { version: string; tag: string; sha256: string; bytes: number };

/** Runs `args` in a throwaway container of the image; resolves with its exit code and output. */
async function inImage(args: string[], opts: { network?: string; volumes?: string[]; env?: string[] } = {}) {
  const flags = [
    ...(opts.network ? ["--network", opts.network] : []),
    ...(opts.volumes ?? []).flatMap((v) => ["-v", v]),
    ...(opts.env ?? []).flatMap((e) => ["-e", e]),
  ];
  return run("docker", ["run", "--rm", ...flags, image.tag, ...args]).then(
    ({ stdout, stderr }) => ({ code: 0, out: stdout + stderr }),
    (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code ?? -1, out: `${e.stdout ?? ""}${e.stderr ?? ""}` }),
  );
}

beforeAll(async () => {
  const built = await buildAgentImage(await buildAgent(), { log: () => {} });
  if (!built) throw new Error("Docker is not reachable: the agent image could not be built");
  image = built;
}, 180_000);

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe("the agent image", () => {
  it("is saved with the manifest Berth serves", () => {
    const file = path.join(process.cwd(), ".berth", "agent-image", "berth-agent.tar.gz");
    expect(image.tag).toBe(`berth-agent:${image.version}`);
    expect(image.version).toMatch(/^\d+\.\d+\.\d+-[0-9a-f]{12}$/);
    expect(fs.statSync(file).size).toBe(image.bytes);
    expect(createHash("sha256").update(fs.readFileSync(file)).digest("hex")).toBe(image.sha256);
  });

  it("runs git, ssh, ssh-keyscan, tar, sh, caddy and node", async () => {
    expect(await inImage(["git", "--version"])).toMatchObject({ code: 0, out: expect.stringMatching(/^git version 2\./) });
    expect(await inImage(["ssh", "-V"])).toMatchObject({ code: 0, out: expect.stringMatching(/^OpenSSH_/) });
    expect(await inImage(["caddy", "version"])).toMatchObject({ code: 0, out: expect.stringMatching(/^v?2\./) });
    expect(await inImage(["tar", "--version"])).toMatchObject({ code: 0, out: expect.stringMatching(/GNU tar/) });
    expect(await inImage(["sh", "-c", "echo from sh"])).toMatchObject({ code: 0, out: "from sh\n" });
    const node = await inImage(["node", "-e", "console.log(process.version, require('os').userInfo().username, process.env.BERTH_AGENT_IMAGE)"]);
    expect(node).toMatchObject({ code: 0, out: `${process.version} root 1\n` });
    expect((await inImage(["ssh-keyscan", "-T", "1", "127.0.0.1"], { network: "none" })).code).not.toBe(127);
  });

  it("clones over https (the CA bundle and git's https helper) and over ssh (ssh through sh, as GIT_SSH_COMMAND runs)", async () => {
    const repo = await makeBareRepo("berth-agent-image-repo-");
    const sha = await repo.commit({ "README.md": "hello\n" });
    // https: a TLS server in front of git http-backend, its certificate trusted through git's CA setting.
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=127.0.0.1",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
        "-keyout",
        path.join(tmp, "key.pem"),
        "-out",
        path.join(tmp, "cert.pem"),
      ],
      { stdio: "ignore" },
    );
    const server = https.createServer({ key: fs.readFileSync(path.join(tmp, "key.pem")), cert: fs.readFileSync(path.join(tmp, "cert.pem")) }, (req, res) =>
      gitHttpBackend(repo.dir, req, res),
    );
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const ssh = await startSshServer(repo.dir);
    try {
      const port = (server.address() as AddressInfo).port;
      const https = await inImage(["git", "-c", "http.sslCAInfo=/certs/cert.pem", "ls-remote", "--", `https://127.0.0.1:${port}/app.git`, "main"], {
        network: "host",
        volumes: [`${tmp}:/certs:ro`],
      });
      expect(https).toMatchObject({ code: 0, out: `${sha}\trefs/heads/main\n` });
      const cloned = await inImage(
        ["git", "-c", "http.sslCAInfo=/certs/cert.pem", "clone", "--depth", "1", "--", `https://127.0.0.1:${port}/app.git`, "/tmp/app"],
        {
          network: "host",
          volumes: [`${tmp}:/certs:ro`],
        },
      );
      expect(cloned.code, cloned.out).toBe(0);

      execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "", "-f", path.join(tmp, "id")]);
      ssh.authorize(fs.readFileSync(path.join(tmp, "id.pub"), "utf8"));
      const overSsh = await inImage(["git", "clone", "--depth", "1", "--", ssh.url(repo.bare), "/tmp/app"], {
        network: "host",
        volumes: [`${tmp}:/keys:ro`],
        env: ["GIT_SSH_COMMAND=ssh -i /keys/id -o IdentitiesOnly=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null"],
      });
      expect(overSsh.code, overSsh.out).toBe(0);
    } finally {
      server.close();
      await ssh.stop();
      fs.rmSync(repo.dir, { recursive: true, force: true });
    }
  }, 60_000);

  it("starts the agent, which says it is not enrolled when it has neither credentials nor a token", async () => {
    const r = await inImage([]);
    expect(r.code).toBe(1);
    expect(r.out).toContain("agent: This agent is not enrolled");
    expect(r.out).toContain("Run the install command from the Hosts page in Berth.");
  });
});

describe("the proxy container", () => {
  const name = `berth-proxy-test-${suffix}`;
  afterAll(async () => {
    await docker
      .getContainer(name)
      .remove({ force: true })
      .catch(() => {});
    for (const v of [`${name}-config`, `${name}-data`])
      await docker
        .getVolume(v)
        .remove()
        .catch(() => {});
  });

  it("runs Caddy from the agent's image, driven by caddy.ts, and keeps its routes when restarted", async () => {
    // A bridge network: this engine's host already runs Berth's Caddy on the admin and proxy ports.
    const info = await ensureProxyContainer(docker, () => {}, { name, image: image.tag, networkMode: "bridge", adminListen: "0.0.0.0:2019" });
    expect(info.Config.Cmd).toEqual(["caddy", "run", "--resume", "--config", "/config/caddy.json"]);
    expect(info.HostConfig.RestartPolicy?.Name).toBe("unless-stopped");
    const address = () =>
      docker
        .getContainer(name)
        .inspect()
        .then((i) => ({ ip: i.NetworkSettings.Networks.bridge!.IPAddress, gateway: i.NetworkSettings.Networks.bridge!.Gateway }));
    let { ip, gateway } = await address();
    expect(await waitForAdmin(`http://${ip}:2019`)).toBe(true);

    // An upstream on this machine, reached from the container through the bridge's gateway.
    const upstream = http.createServer((_req, res) => res.end("served through berth-proxy\n"));
    await new Promise<void>((r) => upstream.listen(0, "0.0.0.0", r));
    try {
      const port = (upstream.address() as AddressInfo).port;
      await createProxy({ adminUrl: `http://${ip}:2019`, httpPort: 8080, owner: "testhost" }).setRoute("agent-image-test", ["app.test"], `${gateway}:${port}`);
      expect(await get(`http://${ip}:8080/`, "app.test")).toBe("served through berth-proxy\n");

      // Ensuring it again leaves the running container alone; a restart resumes the saved configuration.
      expect((await ensureProxyContainer(docker, () => {}, { name, image: image.tag })).Id).toBe(info.Id);
      await docker.getContainer(name).restart({ t: 1 });
      ({ ip, gateway } = await address());
      expect(await waitForAdmin(`http://${ip}:2019`)).toBe(true);
      expect(await get(`http://${ip}:8080/`, "app.test")).toBe("served through berth-proxy\n");
      // Stopped: ensuring it starts it again.
      await docker.getContainer(name).stop({ t: 1 });
      expect((await ensureProxyContainer(docker, () => {}, { name, image: image.tag })).State.Running).toBe(true);
    } finally {
      upstream.close();
    }
  }, 60_000);
});

describe("updateAgent", () => {
  const hostId = "cmupdatetest01";
  const password = "update-test-password";
  const name = `berth-agent-test-${suffix}`;
  const cfg = () => ({ hostId, redisUrl: "rediss://unused", prefix: "bull", password, berthUrl: base });
  let server: http.Server;
  let base = "";
  let sha = "";
  const env = { BERTH_AGENT_IMAGE: process.env.BERTH_AGENT_IMAGE, BERTH_AGENT_CONTAINER: process.env.BERTH_AGENT_CONTAINER };

  beforeAll(async () => {
    const file = path.join(process.cwd(), ".berth", "agent-image", "berth-agent.tar.gz");
    server = http.createServer((req, res) => {
      if (req.headers.authorization !== `Basic ${Buffer.from(`host-${hostId}:${password}`).toString("base64")}`) return void res.writeHead(401).end();
      res.writeHead(200, { "x-berth-image-sha256": sha, "x-berth-image-version": image.version, "content-type": "application/gzip" });
      fs.createReadStream(file).pipe(res);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    process.env.BERTH_AGENT_IMAGE = "1";
    process.env.BERTH_AGENT_CONTAINER = name;
  });
  afterAll(async () => {
    server.close();
    for (const [k, v] of Object.entries(env)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    const left = await docker.listContainers({ all: true, filters: { name: [name] } });
    for (const c of left)
      await docker
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => {});
    await docker
      .getVolume(`${name}-state`)
      .remove()
      .catch(() => {});
  });

  /** A stand-in for the agent's container, running `cmd` from the image (the agent itself would try to enroll). */
  async function agentContainer(cmd: string[], hostname?: string) {
    const c = await docker.createContainer({
      name,
      Image: image.tag,
      Cmd: cmd,
      Hostname: hostname,
      Env: ["BERTH_URL=http://berth.example.test", "BERTH_ENROLL_TOKEN=spent-token"],
      HostConfig: { Binds: [`${name}-state:/var/lib/berth-agent`], RestartPolicy: { Name: "unless-stopped", MaximumRetryCount: 0 } },
    });
    await c.start();
    return c;
  }

  it("refuses outside the agent image, and an image whose SHA-256 does not match, changing nothing", async () => {
    delete process.env.BERTH_AGENT_IMAGE;
    await expect(updateAgent(docker, cfg(), image.version, () => {})).rejects.toThrow(/not from Berth's agent image/);
    process.env.BERTH_AGENT_IMAGE = "1";
    const c = await agentContainer(["node", "-e", "setInterval(() => {}, 1000)"]);
    sha = "0".repeat(64);
    await expect(updateAgent(docker, cfg(), image.version, () => {})).rejects.toThrow(/does not match its SHA-256/);
    expect((await docker.getContainer(name).inspect()).Id).toBe(c.id);
    await c.remove({ force: true });
  }, 60_000);

  it("puts the old container back when the new one does not keep running", async () => {
    // Runs only under the hostname this container has: the replacement gets another and exits.
    const c = await agentContainer(
      ["node", "-e", "if (require('os').hostname() !== 'first') { console.error('not the first container'); process.exit(3) } setInterval(() => {}, 1000)"],
      "first",
    );
    sha = image.sha256;
    await expect(updateAgent(docker, cfg(), image.version, () => {}, { settleMs: 1500 })).rejects.toThrow(
      /The new agent did not keep running.*: not the first container/,
    );
    const back = await docker.getContainer(name).inspect();
    expect(back.Id).toBe(c.id);
    expect(back.State.Running).toBe(true);
    expect(back.HostConfig.RestartPolicy?.Name).toBe("unless-stopped");
    expect(await docker.listContainers({ all: true, filters: { name: [`${name}-old-`] } })).toEqual([]);
    await c.remove({ force: true });
  }, 60_000);

  it("replaces the container with one of the new image, with its mounts, environment (but the spent token) and restart policy, then removes the old one", async () => {
    const old = await agentContainer(["node", "-e", "setInterval(() => {}, 1000)"]);
    sha = image.sha256;
    const result = await updateAgent(docker, cfg(), image.version, () => {}, { settleMs: 1000, retireAfterMs: 200 });
    expect(result).toEqual({ from: "dev", to: image.version });
    const fresh = await docker.getContainer(name).inspect();
    expect(fresh.Id).not.toBe(old.id);
    expect(fresh.Config.Image).toBe(image.tag);
    expect(fresh.State.Running).toBe(true);
    expect(fresh.Config.Cmd).toEqual(["node", "-e", "setInterval(() => {}, 1000)"]);
    expect(fresh.Config.Env).toContain("BERTH_URL=http://berth.example.test");
    expect(fresh.Config.Env).toContain("BERTH_AGENT_IMAGE=1");
    expect(fresh.Config.Env.some((e) => e.startsWith("BERTH_ENROLL_TOKEN="))).toBe(false);
    expect(fresh.HostConfig.Binds).toEqual([`${name}-state:/var/lib/berth-agent`]);
    expect(fresh.HostConfig.RestartPolicy?.Name).toBe("unless-stopped");
    await new Promise((r) => setTimeout(r, 1500));
    await expect(old.inspect()).rejects.toMatchObject({ statusCode: 404 });
  }, 60_000);
});

function get(url: string, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { host }, agent: false }, (res) => {
        let text = "";
        res.on("data", (d: Buffer) => (text += d));
        res.on("end", () => resolve(text));
      })
      .on("error", reject);
  });
}

/** git http-backend (CGI) for one request, the whole body buffered: the test repository is tiny. */
function gitHttpBackend(root: string, req: http.IncomingMessage, res: http.ServerResponse) {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const url = new URL(req.url ?? "/", "https://localhost");
    const body = Buffer.concat(chunks);
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      GIT_PROJECT_ROOT: root,
      GIT_HTTP_EXPORT_ALL: "1",
      GATEWAY_INTERFACE: "CGI/1.1",
      REQUEST_METHOD: req.method ?? "GET",
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.slice(1),
      REMOTE_ADDR: "127.0.0.1",
      CONTENT_LENGTH: String(body.length),
      ...(req.headers["content-type"] ? { CONTENT_TYPE: req.headers["content-type"] } : {}),
      ...(typeof req.headers["git-protocol"] === "string" ? { HTTP_GIT_PROTOCOL: req.headers["git-protocol"] } : {}),
    };
    const child = execFile(
      "/usr/lib/git-core/git-http-backend",
      [],
      { env: env as NodeJS.ProcessEnv, encoding: "buffer", maxBuffer: 16 * 1024 * 1024 },
      (err: Error | null, stdout: Buffer) => {
        if (err) return void res.writeHead(500).end(String(err));
        const split = stdout.indexOf("\r\n\r\n");
        const head = stdout.subarray(0, split).toString("latin1");
        for (const line of head.split("\r\n")) {
          const i = line.indexOf(":");
          const key = line.slice(0, i).trim();
          const value = line.slice(i + 1).trim();
          if (key.toLowerCase() === "status") res.statusCode = Number.parseInt(value, 10);
          else if (key) res.setHeader(key, value);
        }
        res.end(stdout.subarray(split + 4));
      },
    );
    child.stdin?.end(body);
  });
}
