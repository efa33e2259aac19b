import { describe, expect, it } from "vitest";
import { demuxDockerStream, linesFromFrames } from "@/workers/agent/docker/logs";

function frame(type: number, text: string): Buffer {
  const payload = Buffer.from(text, "utf8");
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

describe("demuxDockerStream", () => {
  it("splits stdout and stderr frames in order and keeps a truncated trailing frame", () => {
    const truncated = frame(2, "cut short here").subarray(0, 8 + 3);
    const buf = Buffer.concat([frame(1, "out 1\n"), frame(2, "err 1\n"), frame(1, "ünïcode\n"), truncated]);
    const frames = demuxDockerStream(buf);
    expect(frames.map((f) => [f.stream, f.data.toString()])).toEqual([
      ["stdout", "out 1\n"],
      ["stderr", "err 1\n"],
      ["stdout", "ünïcode\n"],
      ["stderr", "cut"],
    ]);
  });

  it("ignores a partial header and empty frames", () => {
    const buf = Buffer.concat([frame(1, ""), frame(1, "x"), Buffer.from([2, 0, 0])]);
    expect(demuxDockerStream(buf).map((f) => f.data.toString())).toEqual(["x"]);
    expect(demuxDockerStream(Buffer.alloc(0))).toEqual([]);
  });
});

describe("linesFromFrames", () => {
  it("joins a line split across frames of one stream and strips TTY carriage returns", () => {
    const frames = demuxDockerStream(Buffer.concat([frame(1, "hel"), frame(2, "oops\r\n"), frame(1, "lo\nlast")]));
    expect(linesFromFrames(frames, false)).toEqual([
      { stream: "stderr", text: "oops", ts: null },
      { stream: "stdout", text: "hello", ts: null },
      { stream: "stdout", text: "last", ts: null },
    ]);
  });

  it("moves Docker's RFC3339Nano prefix into ts", () => {
    const frames = demuxDockerStream(Buffer.concat([frame(1, "2024-05-01T10:00:00.123456789Z hello world\n"), frame(2, "2024-05-01T10:00:01Z  indented\n")]));
    expect(linesFromFrames(frames, true)).toEqual([
      { stream: "stdout", text: "hello world", ts: "2024-05-01T10:00:00.123456789Z" },
      { stream: "stderr", text: " indented", ts: "2024-05-01T10:00:01Z" },
    ]);
    // Without timestamps requested, a line that merely looks like one is left alone.
    expect(linesFromFrames(frames, false)[0].text).toBe("2024-05-01T10:00:00.123456789Z hello world");
  });
});
