// Terminal sessions: an interactive `sh` through Docker exec, relayed over two Redis streams under this
// host's keys. Output goes to `out` as it comes; keystrokes, resizes and close arrive on `in`. Every entry
// is sealed under the session's key (lib/hosts/terminal-box.ts), which only the console gets back; keystrokes
// are deleted once read, `in` when the session ends, and both streams expire if nobody is left to delete them.
import type Dockerode from "dockerode";
import type { Redis } from "ioredis";
import { execStreamKey, terminalInput } from "@/lib/hosts/protocol";
import { newSessionKey, openEntry, sealEntry, TERMINAL_IDLE_MS, TERMINAL_STREAM_TTL_S } from "@/lib/hosts/terminal-box";
import type { AgentConfig } from "./config";
import { startExec } from "./docker/exec";

const ENDED_TTL_S = 120; // the console deletes `out` when it reads the end; this is for a console that left

/** Starts the shell and returns the session's key (sealed to the caller with the rest of the job's result). */
export async function startTerminal(
  docker: Dockerode,
  redis: Redis,
  cfg: AgentConfig,
  s: { dockerId: string; sessionId: string; cols: number; rows: number },
  log: (m: string) => void,
): Promise<{ key: string }> {
  const out = execStreamKey(cfg.prefix, cfg.hostId, s.sessionId, "out");
  const inKey = execStreamKey(cfg.prefix, cfg.hostId, s.sessionId, "in");
  const key = newSessionKey();
  const exec = await startExec(docker, s.dockerId, ["sh"], { cols: s.cols, rows: s.rows });
  const reader = redis.duplicate(); // XREAD BLOCK needs a connection of its own
  reader.on("error", () => {});
  let open = true;
  let lastInput = Date.now();

  exec.stream.on("data", (chunk: Buffer) => {
    const sealed = sealEntry(key, out, chunk.toString("base64"));
    void redis
      .multi()
      .xadd(out, "MAXLEN", "~", "2000", "*", "d", sealed)
      .expire(out, TERMINAL_STREAM_TTL_S)
      .exec()
      .catch(() => null);
  });
  void exec.wait().then(async (code) => {
    open = false;
    // `end` says only the exit code; the shell's last words went to `out` sealed.
    await redis
      .multi()
      .xadd(out, "*", "end", String(code ?? ""))
      .expire(out, ENDED_TTL_S)
      .del(inKey)
      .exec()
      .catch((e) => log(`terminal end: ${(e as Error).message}`));
    reader.disconnect();
  });

  void (async () => {
    let last = "0";
    while (open) {
      if (Date.now() - lastInput > TERMINAL_IDLE_MS) {
        exec.stream.end();
        break;
      }
      const res = (await reader.xread("BLOCK", 1000, "STREAMS", inKey, last).catch(() => null)) as [string, [string, string[]][]][] | null;
      for (const [, entries] of res ?? []) {
        for (const [id, fields] of entries) {
          last = id;
          lastInput = Date.now();
          const m = readInput(key, inKey, fields[1]);
          if (!m) continue;
          if (m.type === "data") exec.stream.write(m.data);
          else if (m.type === "resize") await exec.resize({ cols: m.cols, rows: m.rows }).catch((e) => log(`terminal resize: ${(e as Error).message}`));
          else exec.stream.end();
        }
        // Read, so gone: keystrokes do not rest in Redis even sealed.
        if (entries.length) await redis.xdel(inKey, ...entries.map(([id]) => id)).catch(() => 0);
      }
    }
  })();
  return { key };
}

function readInput(key: string, stream: string, sealed: string | undefined) {
  try {
    const parsed = terminalInput.safeParse(JSON.parse(openEntry(key, stream, sealed ?? "")));
    return parsed.success ? parsed.data : null;
  } catch {
    return null; // not sealed under this session's key: not from the console
  }
}
