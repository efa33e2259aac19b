// Raw HTTP/1.1 requests over a socket: paths, headers and bodies exactly as given (control characters,
// invalid UTF-8, lying lengths), which fetch and node:http would refuse or normalise. Resolves with the status
// as soon as the status line arrives, so streaming responses (SSE) do not hold it open.
import net from "node:net";

export type RawRequest = {
  method: string;
  path: string | Buffer;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Send the body chunked (no Content-Length). */
  chunked?: boolean;
};

export function rawRequest(baseUrl: string, req: RawRequest, timeoutMs = 30_000): Promise<{ status: number; head: string }> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const sock = net.connect(Number(port), hostname === "localhost" ? "127.0.0.1" : hostname);
    let got = "";
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    sock.on("data", (d) => {
      got += d.toString("latin1");
      const end = got.indexOf("\r\n\r\n");
      if (end === -1) return;
      clearTimeout(timer);
      sock.destroy();
      resolve({ status: Number(got.slice(9, 12)), head: got.slice(0, end) });
    });
    // The server may answer an oversized body and close before reading it all (our write then fails with
    // EPIPE or ECONNRESET): what it answered counts, so only a close without any answer is a failure.
    let error: Error | undefined;
    sock.on("error", (e) => (error = e));
    sock.on("close", () => {
      clearTimeout(timer);
      if (got.startsWith("HTTP/1.1 ")) resolve({ status: Number(got.slice(9, 12)), head: got });
      else reject(error ?? new Error("closed without an answer"));
    });
    const body = req.body === undefined ? undefined : Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body, "utf8");
    const headers: Record<string, string> = { host: `${hostname}:${port}`, connection: "close", ...req.headers };
    if (body && !req.chunked) headers["content-length"] = String(body.length);
    if (body && req.chunked) headers["transfer-encoding"] = "chunked";
    const head = Buffer.concat([
      Buffer.from(`${req.method} `, "latin1"),
      Buffer.isBuffer(req.path) ? req.path : Buffer.from(req.path, "latin1"),
      Buffer.from(
        ` HTTP/1.1\r\n${Object.entries(headers)
          .map(([k, v]) => `${k}: ${v}\r\n`)
          .join("")}\r\n`,
        "latin1",
      ),
    ]);
    // The body goes in 64 KB pieces, and stops once the server has answered (as a browser stops uploading).
    const pieces: Buffer[] = [];
    if (body) for (let i = 0; i < body.length; i += 64 * 1024) pieces.push(body.subarray(i, i + 64 * 1024));
    const send = (data: Buffer | string) => new Promise<void>((r) => sock.write(data, () => r()));
    (async () => {
      await send(head);
      for (const part of pieces) {
        if (got || sock.destroyed) return;
        await send(req.chunked ? Buffer.concat([Buffer.from(`${part.length.toString(16)}\r\n`), part, Buffer.from("\r\n")]) : part);
      }
      if (req.chunked && body && !got && !sock.destroyed) await send("0\r\n\r\n");
    })();
  });
}
