// dockerode rejects with an Error whose message is its own wrapper ("(HTTP code 409) unexpected - ...");
// the console shows users Docker's words instead, so every module rethrows through here.

/** An Engine API failure: `message` is Docker's own message, `statusCode` the HTTP status (if any). */
export class DockerError extends Error {
  constructor(
    message: string,
    readonly statusCode: number | null,
  ) {
    super(message);
    this.name = "DockerError";
  }
}

type ModemError = { statusCode?: unknown; json?: unknown; reason?: unknown; message?: unknown };

export function statusCodeOf(err: unknown): number | null {
  const code = (err as ModemError | null)?.statusCode;
  return typeof code === "number" ? code : null;
}

/** Docker's message from a dockerode error: the JSON body, else the cause inside dockerode's wrapper text. */
export function dockerMessage(err: unknown): string {
  const e = (err ?? {}) as ModemError;
  const json = e.json as { message?: unknown } | null | undefined;
  if (json && typeof json === "object" && typeof json.message === "string") return json.message.trim();
  // Streamed requests (logs, events, exec) leave `json` empty and only put the cause in the message.
  if (typeof e.message === "string") {
    const wrapped = /^\(HTTP code \d+\) [^-]*- ([\s\S]*)$/.exec(e.message);
    if (wrapped?.[1].trim()) return wrapped[1].trim();
    if (typeof e.reason !== "string") return e.message;
  }
  return typeof e.reason === "string" ? e.reason : String(err);
}

export function toDockerError(err: unknown): DockerError {
  if (err instanceof DockerError) return err;
  return new DockerError(dockerMessage(err), statusCodeOf(err));
}
