// Terminal sessions: an interactive `sh` through Docker exec, relayed over two Redis streams under this
// host's keys. Output goes to `out` as it comes; keystrokes, resizes and close arrive on `in`.
import type Dockerode from "dockerode";
import type { Redis } from "ioredis";
import { execStreamKey, terminalInput } from "@/lib/hosts/protocol";
import type { AgentConfig } from "./config";
import { startExec } from "./docker/exec";

const IDLE_MS = 15 * 60_000; // a forgotten terminal closes itself
const KEY_TTL_S = 120;

export async function startTerminal(
  docker: Dockerode,
  redis: Redis,
  cfg: AgentConfig,
  s: { dockerId: string; sessionId: string; cols: number; rows: number },
  log: (m: string) => void,
) {
  const out = execStreamKey(cfg.prefix, cfg.hostId, s.sessionId, "out");
  const inKey = execStreamKey(cfg.prefix, cfg.hostId, s.sessionId, "in");
  const exec = await startExec(docker, s.dockerId, ["sh"], { cols: s.cols, rows: s.rows });
  const reader = redis.duplicate(); // XREAD BLOCK needs a connection of its own
  reader.on("error", () => {});
  let open = true;
  let lastInput = Date.now();

  exec.stream.on("data", (chunk: Buffer) => void redis.xadd(out, "MAXLEN", "~", "2000", "*", "d", chunk.toString("base64")));
  void exec.wait().then(async (code) => {
    open = false;
    await redis.xadd(out, "*", "end", String(code ?? ""));
    await redis.expire(out, KEY_TTL_S);
    await redis.del(inKey);
    reader.disconnect();
  });

  void (async () => {
    let last = "0";
    while (open) {
      if (Date.now() - lastInput > IDLE_MS) {
        exec.stream.end();
        break;
      }
      const res = (await reader.xread("BLOCK", 1000, "STREAMS", inKey, last).catch(() => null)) as [string, [string, string[]][]][] | null;
      for (const [, entries] of res ?? []) {
        for (const [id, fields] of entries) {
          last = id;
          lastInput = Date.now();
          const parsed = terminalInput.safeParse(JSON.parse(fields[1] ?? "{}"));
          if (!parsed.success) continue;
          const m = parsed.data;
          if (m.type === "data") exec.stream.write(m.data);
          else if (m.type === "resize") await exec.resize({ cols: m.cols, rows: m.rows }).catch((e) => log(`terminal resize: ${(e as Error).message}`));
          else exec.stream.end();
        }
      }
    }
  })();
}
