// Where to continue after sign-in (or "back" links): only a path on this site. `next` comes from a query
// string, so it is hostile: browsers drop tabs and newlines inside URLs and read `\` as `/` (so
// `/<tab>/evil.example` became `//evil.example`, another site), something may decode it once more
// (`/%2F%2Fevil`), dot segments collapse (`/.//evil`), and CR/LF must never reach a Location header.

const BASE = "http://berth.invalid";

/** The raw value: printable ASCII only (no controls, spaces, or look-alike slashes), and no backslash. */
const RAW_UNSAFE = /[^\x21-\x7e]|\\/;
/** Once decoded: still no control character, backslash or non-ASCII (spaces in a query are fine). */
const DECODED_UNSAFE = /[^\x20-\x7e]|\\/;

const isLocalPath = (p: string) => p.startsWith("/") && !p.startsWith("//");

export function safeNext(next: unknown, fallback = "/"): string {
  if (typeof next !== "string" || next.length > 2048) return fallback;
  if (!isLocalPath(next) || RAW_UNSAFE.test(next)) return fallback;
  let decoded: string;
  try {
    decoded = decodeURIComponent(next);
  } catch {
    return fallback; // malformed escapes
  }
  if (!isLocalPath(decoded) || DECODED_UNSAFE.test(decoded)) return fallback;
  let url: URL;
  try {
    url = new URL(next, BASE);
  } catch {
    return fallback;
  }
  if (url.origin !== BASE) return fallback;
  // What the browser will be sent, normalised; dot segments could have turned it into `//host`.
  const path = url.pathname + url.search + url.hash;
  return isLocalPath(path) && !RAW_UNSAFE.test(path) ? path : fallback;
}
