// Where the CLI keeps its login: $XDG_CONFIG_HOME/berth/config.json (else ~/.config/berth), readable by its
// owner only. BERTH_URL and BERTH_TOKEN override the file; the file's token is never sent to another
// address than the one it was saved for.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { CliError, EXIT } from "./errors";

/** `source`: where the token came from, for the advice on a refused one. */
type Env = Record<string, string | undefined>;

export type Credentials = { url: string; token: string; team: string | null; source: "file" | "env" | "login" };
export type SavedLogin = { url: string; token: string; team: string };

export function configDir(env: Env = process.env): string {
  const base = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(os.homedir(), ".config");
  return path.join(base, "berth");
}

export const configFile = (env: Env = process.env) => path.join(configDir(env), "config.json");

/** Berth's address as typed: http(s) only, without a trailing slash, path or query. */
export function normalizeUrl(text: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`;
  if (!URL.canParse(withScheme)) throw new CliError(`"${text}" is not a URL; use e.g. https://berth.example.com.`, EXIT.usage);
  const u = new URL(withScheme);
  if (u.protocol !== "http:" && u.protocol !== "https:") throw new CliError(`Use an http:// or https:// address, not ${u.protocol}//.`, EXIT.usage);
  if (u.username || u.password) throw new CliError("Leave the user and password out of the URL; the token is asked for separately.", EXIT.usage);
  return u.origin;
}

export function readLogin(env: Env = process.env): SavedLogin | null {
  const file = configFile(env);
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new CliError(`Cannot read ${file}: ${(e as Error).message}`, EXIT.usage);
  }
  try {
    const v = JSON.parse(text) as Partial<SavedLogin>;
    if (typeof v.url === "string" && typeof v.token === "string" && typeof v.team === "string") return { url: v.url, token: v.token, team: v.team };
  } catch {
    /* reported below */
  }
  throw new CliError(`${file} is not a login this CLI wrote; remove it or run berth login again.`, EXIT.usage);
}

/** Writes the login with mode 0600 in a 0700 directory, replacing the old file in one step. */
export function saveLogin(login: SavedLogin, env: Env = process.env): string {
  const dir = configDir(env);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
  const file = configFile(env);
  writePrivate(file, `${JSON.stringify(login, null, 2)}\n`);
  return file;
}

/** Writes a file only its owner can read, whatever mode an earlier file of that name had. */
export function writePrivate(file: string, text: string) {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.rmSync(tmp, { force: true });
  fs.writeFileSync(tmp, text, { mode: 0o600, flag: "wx" }); // a new file: not one planted there, not a symlink
  fs.renameSync(tmp, file);
}

export function removeLogin(env: Env = process.env): SavedLogin | null {
  const login = readLogin(env);
  if (login) fs.rmSync(configFile(env));
  return login;
}

/** Who to call and with what: the environment first, then the saved login (only for its own address). */
export function resolveCredentials(env: Env, saved: SavedLogin | null): Credentials {
  const url = env.BERTH_URL ? normalizeUrl(env.BERTH_URL) : saved?.url;
  if (!url) throw new CliError("Not logged in: run `berth login <url>` (or set BERTH_URL and BERTH_TOKEN).", EXIT.auth);
  if (env.BERTH_TOKEN) return { url, token: env.BERTH_TOKEN.trim(), team: null, source: "env" };
  if (!saved || saved.url !== url) throw new CliError(`No token for ${url}: run \`berth login ${url}\` (or set BERTH_TOKEN).`, EXIT.auth);
  return { url, token: saved.token, team: saved.team, source: "file" };
}
