// berth login / logout / whoami: the token is checked with GET /me before it is saved.
import { Api, connect, type Me } from "../api-client";
import { normalizeUrl, removeLogin, saveLogin } from "../config";
import { CliError, EXIT } from "../errors";
import { Progress } from "../progress";
import { readHidden, readStdin } from "../prompt";
import { cleanLine } from "../text";

export async function login(urlText: string, o: { tokenStdin?: boolean }): Promise<number> {
  const url = normalizeUrl(urlText);
  const token = (o.tokenStdin ? await readStdin() : await readHidden(`API token for ${url} (make one in Berth: team settings, API tokens): `)).trim();
  if (!token) throw new CliError("No token given.", EXIT.usage);
  const { hostname, protocol } = new URL(url);
  if (protocol === "http:" && !["localhost", "127.0.0.1", "[::1]"].includes(hostname) && !hostname.endsWith(".localhost")) {
    process.stderr.write(`Warning: ${url} is plain http; the token travels unencrypted. Use https:// unless this network is yours.\n`);
  }
  const api = new Api({ url, token, team: null, source: "login" });
  const me = await new Progress().during(`Checking the token with ${url}`, api.json<Me>("GET", "/me"));
  if (!me.team || !me.token) throw new CliError("Berth did not take this as an API token; make one in the team's settings.", EXIT.auth);
  const file = saveLogin({ url, token, team: me.team.slug });
  console.log(`Logged in to ${url}\n${describe(me)}\nSaved to ${file}`);
  return EXIT.ok;
}

export async function whoami(): Promise<number> {
  const api = connect();
  const me = await new Progress().during("Asking Berth", api.json<Me>("GET", "/me"));
  console.log(`${api.creds.url}${api.creds.source === "env" ? " (from BERTH_URL/BERTH_TOKEN)" : ""}\n${describe(me)}`);
  return EXIT.ok;
}

export function logout(): number {
  const was = removeLogin();
  if (!was) console.log("Not logged in; nothing to remove.");
  else
    console.log(
      `Logged out of ${was.url}. The token itself works until it expires or is revoked in Berth (team settings, API tokens); revoke it there if it may have leaked.`,
    );
  return EXIT.ok;
}

/** Who the token acts for, in which team, with what scopes and limit. */
export function describe(me: Me): string {
  const c = (s: string) => cleanLine(s, false);
  const lines = [`User:  ${c(me.user.name)} <${c(me.user.email)}>`];
  if (me.team) lines.push(`Team:  ${c(me.team.name)} (${me.team.slug})`);
  if (me.token) {
    const t = me.token;
    const limit = t.environment ? `${t.project}/${t.environment}` : t.project;
    const extra = [limit && `limited to ${limit}`, `expires ${t.expiresAt ? t.expiresAt.slice(0, 10) : "never"}`].filter(Boolean).join("; ");
    lines.push(`Token: ${c(t.name)}, scopes ${t.scopes.join(", ")}; ${extra}`);
  }
  return lines.join("\n");
}
