// Container logs, read once (not followed). Without a TTY Docker multiplexes stdout and stderr into one
// stream of framed chunks; with a TTY the stream is the raw terminal output.
import type { IncomingMessage } from "node:http";
import type Dockerode from "dockerode";
import { toDockerError } from "./errors";
import type { LogLine } from "@/lib/hosts/results";

export type { LogLine };
type Frame = { stream: "stdout" | "stderr"; data: Buffer };

export const MAX_TAIL = 5000;
const HEADER = 8;

/**
 * Splits Docker's multiplexed stream: each frame is an 8-byte header (byte 0: 1 stdout, 2 stderr; bytes 4–7:
 * big-endian payload length) then the payload. A truncated trailing frame keeps what arrived of it.
 */
export function demuxDockerStream(buf: Buffer): Frame[] {
  const frames: Frame[] = [];
  let at = 0;
  while (at + HEADER <= buf.length) {
    const type = buf[at];
    const length = buf.readUInt32BE(at + 4);
    const start = at + HEADER;
    const end = Math.min(start + length, buf.length);
    // Type 0 is stdin (never sent for logs); treat anything but stderr as stdout rather than drop text.
    if (end > start) frames.push({ stream: type === 2 ? "stderr" : "stdout", data: buf.subarray(start, end) });
    at = start + length;
  }
  return frames;
}

// RFC3339Nano, as Docker prefixes each line when timestamps=true.
const TIMESTAMP = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})) /;

/** Turns frames into lines, joining a line split across frames of the same stream. */
export function linesFromFrames(frames: Frame[], timestamps: boolean): LogLine[] {
  const lines: LogLine[] = [];
  const pending: Record<Frame["stream"], string> = { stdout: "", stderr: "" };
  const emit = (stream: Frame["stream"], raw: string) => {
    let text = raw.endsWith("\r") ? raw.slice(0, -1) : raw; // a TTY ends lines with \r\n
    let ts: string | null = null;
    const m = timestamps ? TIMESTAMP.exec(text) : null;
    if (m) {
      ts = m[1];
      text = text.slice(m[0].length);
    }
    lines.push({ stream, text, ts });
  };
  for (const { stream, data } of frames) {
    let chunk = data.toString("utf8");
    // Docker cuts lines over 16 KiB into partial messages, each with its own timestamp: keep the first.
    if (timestamps && pending[stream]) chunk = chunk.replace(TIMESTAMP, "");
    const parts = (pending[stream] + chunk).split("\n");
    pending[stream] = parts.pop() ?? "";
    for (const part of parts) emit(stream, part);
  }
  for (const stream of ["stdout", "stderr"] as const) if (pending[stream]) emit(stream, pending[stream]);
  return lines;
}

/** GET /containers/{id}/logs as a raw stream: dockerode's buffered logs() JSON-parses the body, so a TTY
 * container whose whole output is e.g. `42` or `{"a":1}` would come back as a number or object. */
function fetchLogs(docker: Dockerode, id: string, query: Record<string, string | number | boolean>): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    docker.modem.dial(
      {
        path: `/containers/${encodeURIComponent(id)}/logs?`,
        method: "GET",
        options: query,
        isStream: true,
        statusCodes: { 200: true, 404: "no such container", 500: "server error" },
      },
      (err, res) => {
        if (err) return reject(err);
        const chunks: Buffer[] = [];
        const stream = res as IncomingMessage;
        stream.on("data", (c: Buffer) => chunks.push(c));
        stream.on("end", () => resolve(Buffer.concat(chunks)));
        stream.on("error", reject);
      },
    );
  });
}

export async function readLogs(docker: Dockerode, id: string, opts: { tail: number; since?: number; timestamps?: boolean }): Promise<LogLine[]> {
  const tail = Math.max(0, Math.min(MAX_TAIL, Math.floor(opts.tail)));
  const timestamps = opts.timestamps ?? false;
  try {
    const info = await docker.getContainer(id).inspect();
    const query: Record<string, string | number | boolean> = { stdout: true, stderr: true, tail, timestamps };
    if (opts.since !== undefined) query.since = opts.since;
    const body = await fetchLogs(docker, id, query);
    const frames = info.Config.Tty ? [{ stream: "stdout" as const, data: body }] : demuxDockerStream(body);
    return linesFromFrames(frames, timestamps);
  } catch (err) {
    throw toDockerError(err);
  }
}
