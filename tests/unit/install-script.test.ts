// The install script run for real by dash and busybox sh, against stand-ins for docker, curl and wget that
// record what they were asked: the exact `docker run`, the checksum guard, wget where curl is missing, a
// failing agent reported with its log. Nothing it interpolates can break out of its quotes.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { agentStanding } from "@/lib/hosts/agent-version";
import { installScript, refusalScript, shQuote } from "@/lib/hosts/install-script";

const run = promisify(execFile);
const root = fs.mkdtempSync(path.join(os.tmpdir(), "berth-install-"));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const IMAGE = Buffer.from("pretend this is a docker save tarball\n");
const SHA = createHash("sha256").update(IMAGE).digest("hex");
const TOKEN = `A${"b".repeat(41)}_`;
const base = { berthUrl: "http://10.0.0.5:3000", token: TOKEN, tag: "berth-agent:0.1.0-abcdef012345", sha256: SHA };

/** A bin folder with the few real tools the script uses and stand-ins for docker and curl/wget. */
function world(opts: { curl?: boolean; wget?: boolean; agentState?: string; served?: Buffer }) {
  const dir = fs.mkdtempSync(path.join(root, "w-"));
  const bin = path.join(dir, "bin");
  fs.mkdirSync(bin);
  for (const tool of ["cut", "sha256sum", "mktemp", "rm", "head", "tail", "sleep", "cat", "basename"]) {
    fs.symlinkSync(execFileSyncWhich(tool), path.join(bin, tool));
  }
  const log = path.join(dir, "calls.log");
  const served = path.join(dir, "served");
  fs.writeFileSync(served, opts.served ?? IMAGE);
  const script = (name: string, body: string) => fs.writeFileSync(path.join(bin, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  script(
    "docker",
    `printf '%s\\n' "docker $*" >> '${log}'
case "$1" in
  info|load|run|rm|exec) exit 0 ;;
  volume) exit 0 ;;
  container) exit 1 ;;
  inspect) echo '${opts.agentState ?? "running 0"}' ;;
  logs) echo 'agent: enrolled as host-abc' ;;
esac`,
  );
  const fetcher = `printf '%s\\n' "$(basename "$0") $*" >> '${log}'
while [ $# -gt 1 ]; do case "$1" in -o|-O) out=$2; shift ;; esac; shift; done
cat '${served}' > "$out"`;
  if (opts.curl !== false) script("curl", fetcher);
  if (opts.wget) script("wget", fetcher);
  return { bin, log, calls: () => fs.readFileSync(log, "utf8").trim().split("\n") };
}

function execFileSyncWhich(tool: string): string {
  for (const d of ["/usr/bin", "/bin"]) if (fs.existsSync(path.join(d, tool))) return path.join(d, tool);
  throw new Error(`${tool} not found`);
}

async function runScript(shell: string, script: string, bin: string) {
  const file = path.join(path.dirname(bin), "install.sh");
  fs.writeFileSync(file, script);
  return run(shell === "busybox" ? "/usr/bin/busybox" : "/usr/bin/dash", [...(shell === "busybox" ? ["sh"] : []), file], {
    env: { PATH: bin, HOME: path.dirname(bin), NODE_ENV: "test" },
  }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}

describe("install script", () => {
  for (const shell of ["dash", "busybox"]) {
    it(`${shell}: loads the checked image and runs the agent with exactly Berth's arguments`, async () => {
      const w = world({});
      const r = await runScript(shell, installScript(base), w.bin);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("agent: enrolled as host-abc");
      expect(r.stdout).toContain("Berth now shows this host online: http://10.0.0.5:3000");
      const calls = w.calls();
      expect(calls[0]).toBe("docker info");
      expect(calls).toContain(`curl -fsSL -o ${calls.find((c) => c.startsWith("curl"))!.split(" ")[3]} http://10.0.0.5:3000/api/agent/image?token=${TOKEN}`);
      expect(calls.some((c) => /^docker load -i \S+$/.test(c))).toBe(true);
      expect(calls).toContain("docker volume rm berth-agent");
      expect(calls).toContain(
        "docker run -d --name berth-agent --restart unless-stopped --network host -v /var/run/docker.sock:/var/run/docker.sock " +
          "-v berth-agent:/var/lib/berth-agent -v /etc/docker/certs.d:/etc/docker/certs.d -e BERTH_URL=http://10.0.0.5:3000 " +
          `-e BERTH_ENROLL_TOKEN=${TOKEN} berth-agent:0.1.0-abcdef012345`,
      );
    });
  }

  it("uses wget where there is no curl", async () => {
    const w = world({ curl: false, wget: true });
    const r = await runScript("dash", installScript(base), w.bin);
    expect(r.code).toBe(0);
    expect(w.calls().some((c) => c.startsWith("wget -q -O "))).toBe(true);
  });

  it("loads nothing whose checksum differs", async () => {
    const w = world({ served: Buffer.from("tampered") });
    const r = await runScript("dash", installScript(base), w.bin);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("does not match its checksum");
    expect(w.calls().some((c) => c.startsWith("docker load") || c.startsWith("docker run"))).toBe(false);
  });

  it("shows the agent's log when it keeps restarting", async () => {
    const w = world({ agentState: "restarting 2" });
    const r = await runScript("dash", installScript(base), w.bin);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("agent: enrolled as host-abc");
    expect(r.stderr).toContain("The agent stopped (restarting 2)");
  });

  it("says what is missing: docker, or both curl and wget", async () => {
    const noDocker = world({});
    fs.rmSync(path.join(noDocker.bin, "docker"));
    expect((await runScript("dash", installScript(base), noDocker.bin)).stderr).toContain("Docker is not installed here");
    const noFetch = world({ curl: false });
    expect((await runScript("dash", installScript(base), noFetch.bin)).stderr).toContain("Neither curl nor wget is installed");
  });

  it("refuses values that could become shell syntax", () => {
    expect(() => installScript({ ...base, berthUrl: "http://x/'; rm -rf / #" })).toThrow(/public URL/);
    expect(() => installScript({ ...base, berthUrl: "http://x/$(id)" })).toThrow(/public URL/);
    expect(() => installScript({ ...base, token: `${TOKEN.slice(1)}'` })).toThrow(/token/);
    expect(() => installScript({ ...base, token: `-${TOKEN.slice(1)}` })).toThrow(/token/);
    expect(() => installScript({ ...base, tag: "berth-agent:1 --privileged" })).toThrow(/tag/);
    expect(() => installScript({ ...base, sha256: "0".repeat(63) })).toThrow(/checksum/);
    expect(shQuote("it's")).toBe(`'it'\\''s'`);
  });

  it("a refusal prints its reason, even with quotes in it, and fails", async () => {
    const w = world({});
    const r = await runScript("dash", refusalScript("Don't: $(touch /tmp/pwned) `id`\nsecond line"), w.bin);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("berth: Don't: $(touch /tmp/pwned) `id` second line\n");
  });
});

describe("agent standing", () => {
  const host = (agentVersion: string | null, protocolProblem: string | null = null) => ({ agentVersion, protocolProblem });
  it("flags a protocol problem first, then a version other than Berth's", () => {
    expect(agentStanding(host("0.1.0-aaa", "This agent speaks protocol 1; Berth speaks 2."), "0.1.0-aaa")).toEqual({
      kind: "incompatible",
      message: "This agent speaks protocol 1; Berth speaks 2.",
    });
    expect(agentStanding(host("0.1.0-abc"), "0.1.0-def")).toEqual({ kind: "outdated", message: "Agent 0.1.0-abc is older than Berth's 0.1.0-def." });
    expect(agentStanding(host("0.1.0-def"), "0.1.0-def")).toEqual({ kind: "current" });
    expect(agentStanding(host(null), "0.1.0-def")).toEqual({ kind: "unknown" });
    expect(agentStanding(host("0.1.0-abc"), null)).toEqual({ kind: "unknown" });
  });
});
