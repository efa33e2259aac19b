// Repository URLs. git treats "x::y" as a remote-helper call (ext:: runs a command), "-x" as an
// option, unknown "foo://" schemes as helpers and bare paths as local clones, so we accept only a
// small, explicit grammar and return one normalised spelling of it.
import { INVISIBLE, SHELL_META, describeChar } from "./chars";

export type RepoProtocol = "https" | "ssh" | "file" | "git";
export type RepoUrlResult = { ok: true; url: string; protocol: RepoProtocol } | { ok: false; error: string };

const MAX_URL = 2048;
const ALLOWED_CHARS = /^[A-Za-z0-9._~:/@%+-]+$/;
const LABEL = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
const HOSTNAME = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`);
const ENCODED_CONTROL = /[\p{C}\u2028\u2029]/u;
const SSH_USER = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}$/;

type Fail = { ok: false; error: string };
const fail = (error: string): Fail => ({ ok: false, error: `Invalid repository URL: ${error}` });

function checkHost(host: string): string | null {
  if (host === "") return "the host is empty";
  if (host.startsWith("-")) return 'the host must not start with "-"';
  if (!HOSTNAME.test(host)) return `"${host}" is not a valid host name`;
  return null;
}

function checkPort(port: string | undefined): string | null {
  if (port === undefined) return null;
  if (!/^\d{1,5}$/.test(port) || +port < 1 || +port > 65535) return `"${port}" is not a valid port`;
  return null;
}

/** An absolute path: non-empty, no "." / ".." / "-x" segments (also after percent-decoding), no "//". */
function checkPath(path: string): string | null {
  if (!path.startsWith("/") || path.replace(/\/+$/, "") === "") return "the repository path is missing";
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return "the path has a malformed %-escape";
  }
  // %0a, %2e%2e and friends must not smuggle what the raw check refused. An encoded plain space
  // (%20, e.g. Azure DevOps project names) is harmless and stays allowed.
  if (ENCODED_CONTROL.test(decoded)) return "the path encodes a control character";
  if (SHELL_META.test(decoded)) return "the path encodes a shell metacharacter";
  const segs = decoded.split("/").slice(1);
  if (segs[segs.length - 1] === "") segs.pop(); // one trailing slash is harmless
  for (const seg of segs) {
    if (seg === "") return 'the path must not contain "//"';
    if (seg === "." || seg === "..") return 'the path must not contain "." or ".." segments';
    if (seg.startsWith("-")) return `no path segment may start with "-" ("${seg}")`;
  }
  return null;
}

/** Splits "[user@]host[:port]/path" and checks each part. */
function parseAuthority(rest: string): { user?: string; host: string; port?: string; path: string } | Fail {
  const slash = rest.indexOf("/");
  const authority = slash < 0 ? rest : rest.slice(0, slash);
  const path = slash < 0 ? "" : rest.slice(slash);
  const at = authority.lastIndexOf("@");
  const user = at < 0 ? undefined : authority.slice(0, at);
  const hostPort = authority.slice(at + 1);
  const colon = hostPort.indexOf(":");
  const host = (colon < 0 ? hostPort : hostPort.slice(0, colon)).toLowerCase();
  const port = colon < 0 ? undefined : hostPort.slice(colon + 1);
  const problem = checkHost(host) ?? checkPort(port) ?? checkPath(path);
  return problem ? fail(problem) : { user, host, port, path };
}

function build(scheme: RepoProtocol, a: { user?: string; host: string; port?: string; path: string }): RepoUrlResult {
  const user = a.user !== undefined ? `${a.user}@` : "";
  const port = a.port !== undefined ? `:${a.port}` : "";
  return { ok: true, url: `${scheme}://${user}${a.host}${port}${a.path}`, protocol: scheme };
}

function checkSshUser(user: string | undefined): string | null {
  if (user === undefined) return null;
  if (user.startsWith("-")) return 'the user name must not start with "-"';
  if (!SSH_USER.test(user)) return `"${user}" is not a valid ssh user name`;
  return null;
}

export function validateRepoUrl(raw: string, opts: { allowLocal?: boolean } = {}): RepoUrlResult {
  if (typeof raw !== "string" || raw === "") return fail("a URL is required");
  if (raw.length > MAX_URL) return fail(`longer than ${MAX_URL} characters`);
  if (INVISIBLE.test(raw)) return fail(`spaces and control characters are not allowed, found ${describeChar(raw, INVISIBLE)}`);
  if (raw.startsWith("-")) return fail('must not start with "-" (git would read it as an option)');
  if (SHELL_META.test(raw)) return fail(`must not contain shell metacharacters, found ${describeChar(raw, SHELL_META)}`);
  const helper = /^([A-Za-z0-9+.-]*)::/.exec(raw);
  if (helper) {
    const name = helper[1]!.toLowerCase();
    if (name === "ext" || name === "fd") return fail(`the "${name}::" transport runs local commands and is never allowed`);
    return fail(`remote-helper transports ("${helper[1]}::") are not allowed`);
  }
  if (raw.includes("[") || raw.includes("]")) return fail("bracketed (IPv6) hosts are not supported");
  if (raw.includes("::")) return fail('must not contain "::"');
  if (/[?#]/.test(raw)) return fail("must not contain a query string or fragment");
  if (!ALLOWED_CHARS.test(raw)) return fail(`contains a character that is not allowed, found ${describeChar(raw, /[^A-Za-z0-9._~:/@%+-]/)}`);

  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(raw);
  if (scheme) {
    const name = scheme[1]!.toLowerCase();
    const rest = raw.slice(scheme[0].length);
    if (name === "http") return fail("plain http is not allowed, use https");
    if (name === "https" || name === "ssh" || (name === "git" && opts.allowLocal)) {
      const a = parseAuthority(rest);
      if ("ok" in a) return a;
      if (name === "https" && a.user !== undefined) {
        return fail("credentials must not be part of the URL; store the access token as a secret instead");
      }
      if (name === "git" && a.user !== undefined) return fail("git:// URLs take no user name");
      const userProblem = name === "ssh" ? checkSshUser(a.user) : null;
      if (userProblem) return fail(userProblem);
      return build(name, a);
    }
    if (name === "file" && opts.allowLocal) {
      // Only file:///absolute/path: a host part ("file://x/...") is not a local path.
      if (!rest.startsWith("/")) return fail("file URLs must be file:///absolute/path");
      const problem = checkPath(rest);
      return problem ? fail(problem) : { ok: true, url: `file://${rest}`, protocol: "file" };
    }
    return fail(`the "${name}" protocol is not allowed (use https:// or ssh://)`);
  }

  // scp-like "user@host:path", which git reads as ssh when no "/" comes before the first ":". It stays in
  // that form: git then sends the path as written, so "app.git" is relative to the login's home directory
  // (a plain OpenSSH server) and "~/x" is expanded there. Rewritten as ssh://host/app.git it would become
  // the absolute "/app.git" and fail on such a server.
  const scp = /^([^@/:]+)@([^/:]+):(.*)$/.exec(raw);
  if (scp) {
    const [, user, rawHost, path] = scp as unknown as [string, string, string, string];
    const host = rawHost.toLowerCase();
    // The path is checked as if it were absolute; the checks are per segment, so the verdict is the same.
    const problem = checkSshUser(user) ?? checkHost(host) ?? checkPath(path.startsWith("/") ? path : `/${path}`);
    if (problem) return fail(problem);
    return { ok: true, url: `${user}@${host}:${path}`, protocol: "ssh" };
  }
  if (/^[./~]/.test(raw)) return fail("local paths are not allowed, use an https:// or ssh:// URL");
  return fail("expected https://host/path, ssh://user@host/path or user@host:path");
}
