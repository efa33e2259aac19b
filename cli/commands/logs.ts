// berth logs <project>/<env>/<service> [--follow] [--tail N]: the service's container output, stdout lines
// to stdout and stderr lines to stderr. A followed stream that drops is opened again (without the tail).
import { connect } from "../api-client";
import { EXIT } from "../errors";
import { parseServicePath, showPath } from "../paths";
import { Progress } from "../progress";
import { resolveService } from "../resolve";
import { followSse } from "../sse";
import { cleanLine } from "../text";

type LogLine = { line?: unknown; stream?: unknown; time?: unknown };

export async function logs(pathText: string, o: { follow?: boolean; tail: number; timestamps?: boolean }): Promise<number> {
  const path = parseServicePath(pathText);
  const api = connect();
  const progress = new Progress();
  const service = await progress.during(`Finding ${showPath(path)}`, resolveService(api, path));
  const base = await api.teamPath("services", service.id, "logs");
  let tail = o.tail;
  let containers = 0;
  await followSse(
    () => progress.during("Opening the log", api.stream(`${base}?tail=${tail}${o.follow ? "&follow=1" : ""}`)),
    (ev) => {
      if (ev.event === "end") {
        // Why a followed stream stopped (the service has no running container any more) is worth saying.
        if (o.follow) note(ev.data, "reason", "the log ended");
        return true;
      }
      if (ev.event === "container" && containers++ > 0) note(ev.data, "name", "a new container");
      if (ev.event !== "message") return false;
      const l = parseLine(ev.data);
      const to = l.stream === "stderr" ? process.stderr : process.stdout;
      const text = cleanLine(String(l.line ?? ""), Boolean(to.isTTY) && !process.env.NO_COLOR);
      to.write(`${o.timestamps && typeof l.time === "string" ? `${l.time} ` : ""}${text}\n`);
      return false;
    },
    {
      what: `The log of ${showPath(path)}`,
      retries: o.follow ? 5 : 0,
      reconnecting: () => {
        process.stderr.write("(the log stream dropped; opening it again)\n");
        tail = 0; // the lines already shown are not sent again
        containers = 0; // the new stream names its container first
      },
    },
  );
  return EXIT.ok;
}

/** A remark about the stream on stderr, e.g. `(a new container: web-2)`, from the event's `field`. */
function note(data: string, field: string, fallback: string) {
  const v = parseLine(data) as Record<string, unknown>;
  const text = typeof v[field] === "string" ? `${field === "name" ? "now showing " : ""}${v[field]}` : fallback;
  process.stderr.write(`(${cleanLine(text, false)})\n`);
}

function parseLine(data: string): LogLine {
  try {
    const v = JSON.parse(data) as unknown;
    return v && typeof v === "object" ? (v as LogLine) : { line: String(v) };
  } catch {
    return { line: data };
  }
}
