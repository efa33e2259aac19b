// The CLI's only way to Berth: its JSON API under /api/v1 with the token as a bearer credential. Every
// failure becomes a CliError whose message says what to do and whose exit code says what kind it was.
import { readLogin, resolveCredentials, type Credentials } from "./config";
import { CliError, EXIT, exitCodeForStatus } from "./errors";
import { CLI_VERSION } from "./version";

const TIMEOUT_MS = 30_000;

/** An API client with the credentials of the environment or the saved login. */
export const connect = () => new Api(resolveCredentials(process.env, readLogin()));

type ApiError = { error?: { code?: string; message?: string; fields?: Record<string, string[] | undefined> } };

export class Api {
  private teamSlug: string | null;

  constructor(readonly creds: Credentials) {
    this.teamSlug = creds.team;
  }

  /** The token's team: saved at login, else asked of Berth once (a token from BERTH_TOKEN). */
  async team(): Promise<string> {
    if (this.teamSlug) return this.teamSlug;
    const me = await this.json<Me>("GET", "/me");
    if (!me.team) throw new CliError("This token belongs to no team; make one in the team's settings in Berth.", EXIT.auth);
    this.teamSlug = me.team.slug;
    return this.teamSlug;
  }

  /** `/teams/<team>` followed by `parts`, each escaped as one path segment. */
  async teamPath(...parts: string[]): Promise<string> {
    return ["/teams", await this.team(), ...parts].map((p, i) => (i === 0 ? p : encodeURIComponent(p))).join("/");
  }

  /** Berth's page for a path in the team's console, e.g. a deployment's. */
  async pageUrl(...parts: string[]): Promise<string> {
    return `${this.creds.url}/t/${encodeURIComponent(await this.team())}/${parts.map(encodeURIComponent).join("/")}`;
  }

  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.send(method, path, { body, accept: "application/json", timeout: true });
    if (res.status === 204) return undefined as T;
    return (await readJson(res, `${method} ${path}`)) as T;
  }

  async text(path: string): Promise<string> {
    const res = await this.send("GET", path, { accept: "text/plain", timeout: true });
    return res.text();
  }

  /** A server-sent event stream; it runs until the server ends it or `signal` aborts. */
  stream(path: string, signal?: AbortSignal): Promise<Response> {
    return this.send("GET", path, { accept: "text/event-stream", signal });
  }

  private async send(method: string, path: string, o: { body?: unknown; accept: string; timeout?: boolean; signal?: AbortSignal }): Promise<Response> {
    const url = `${this.creds.url}/api/v1${path}`;
    const headers: Record<string, string> = { authorization: `Bearer ${this.creds.token}`, accept: o.accept, "user-agent": `berth-cli/${CLI_VERSION}` };
    if (o.body !== undefined) headers["content-type"] = "application/json";
    const signals = [o.signal, o.timeout ? AbortSignal.timeout(TIMEOUT_MS) : undefined].filter((s): s is AbortSignal => Boolean(s));
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers,
        body: o.body === undefined ? undefined : JSON.stringify(o.body),
        // The token must not follow a redirect to another address; the user decides where it goes.
        redirect: "manual",
        signal: signals.length ? AbortSignal.any(signals) : undefined,
      });
    } catch (e) {
      throw networkError(this.creds.url, e);
    }
    if (res.status >= 300 && res.status < 400) {
      const to = res.headers.get("location");
      throw new CliError(
        `Berth at ${this.creds.url} redirects to ${to ?? "another address"}; log in with the address Berth answers at (berth login <url>).`,
        EXIT.unavailable,
      );
    }
    if (!res.ok) throw await httpError(res, this.creds, `${method} ${path}`);
    return res;
  }
}

export type Me = {
  user: { id: string; email: string; name: string };
  team: { slug: string; name: string } | null;
  token: { name: string; scopes: string[]; expiresAt: string | null; project: string | null; environment: string | null } | null;
};

export function networkError(url: string, e: unknown): CliError {
  const err = e as Error & { cause?: { code?: string; message?: string } };
  if (err.name === "TimeoutError") return new CliError(`Berth at ${url} did not answer within ${TIMEOUT_MS / 1000} s.`, EXIT.unavailable);
  if (err.name === "AbortError") return new CliError("Stopped.", EXIT.interrupted);
  const why = err.cause?.code ?? err.cause?.message ?? err.message;
  return new CliError(`Cannot reach Berth at ${url}: ${why}.`, EXIT.unavailable);
}

async function readJson(res: Response, what: string): Promise<unknown> {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new CliError(`Berth answered ${what} with something that is not JSON (${res.headers.get("content-type") ?? "no type"}).`, EXIT.unavailable);
  }
}

const UNAUTHORIZED_HINT: Record<Credentials["source"], (url: string) => string> = {
  env: () => "\nCheck BERTH_TOKEN: make a new token in Berth if this one was revoked or expired.",
  file: (url) => `\nLog in again with a valid token: berth login ${url}`,
  login: () => "\nCopy the token again from Berth (team settings, API tokens), or make a new one.",
};

/** The server's own message (it names a missing scope or role), with what to do about a 401. */
export async function httpError(res: Response, creds: Pick<Credentials, "url" | "source">, what: string): Promise<CliError> {
  const code = exitCodeForStatus(res.status);
  let body: ApiError = {};
  try {
    body = JSON.parse(await res.text()) as ApiError;
  } catch {
    /* not Berth's JSON: a proxy's page, a server that is not Berth */
  }
  const message = body.error?.message;
  if (!message) return new CliError(`Berth at ${creds.url} answered ${what} with ${res.status} ${res.statusText}.`, EXIT.unavailable);
  const fields = Object.entries(body.error?.fields ?? {})
    .filter(([, v]) => v?.length)
    .map(([k, v]) => `\n  ${k}: ${v!.join(" ")}`)
    .join("");
  const hint = res.status === 401 ? UNAUTHORIZED_HINT[creds.source](creds.url) : "";
  return new CliError(`${message}${fields}${hint}`, code);
}
