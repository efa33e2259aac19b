// Where the CLI's login comes from and how it is kept: the environment over the saved file, the file's
// token only for its own address, and a file only its owner can read.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { configFile, readLogin, removeLogin, resolveCredentials, saveLogin, writePrivate } from "@/cli/config";
import { type CliError, EXIT } from "@/cli/errors";

const saved = { url: "https://berth.example.com", token: "berth_saved", team: "acme" };
const dirs: string[] = [];
const tmpEnv = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "berth-cli-"));
  dirs.push(dir);
  return { XDG_CONFIG_HOME: dir };
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const authError = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    expect((e as CliError).exitCode).toBe(EXIT.auth);
    return (e as CliError).message;
  }
  throw new Error("expected an error");
};

describe("credentials", () => {
  it("uses the saved login, or BERTH_URL and BERTH_TOKEN over it", () => {
    expect(resolveCredentials({}, saved)).toEqual({ ...saved, source: "file" });
    expect(resolveCredentials({ BERTH_URL: "https://ci.example.com/", BERTH_TOKEN: "berth_env\n" }, saved)).toEqual({
      url: "https://ci.example.com",
      token: "berth_env",
      team: null, // the saved team belongs to the saved token: asked of Berth instead
      source: "env",
    });
    expect(resolveCredentials({ BERTH_TOKEN: "berth_env" }, saved)).toMatchObject({ url: saved.url, token: "berth_env", team: null });
  });

  it("never sends the saved token to another address", () => {
    expect(authError(() => resolveCredentials({ BERTH_URL: "https://elsewhere.example.com" }, saved))).toBe(
      "No token for https://elsewhere.example.com: run `berth login https://elsewhere.example.com` (or set BERTH_TOKEN).",
    );
  });

  it("says how to log in when there is nothing", () => {
    expect(authError(() => resolveCredentials({}, null))).toMatch(/Not logged in: run `berth login <url>`/);
  });
});

describe("the saved login", () => {
  it("is written 0600 in a 0700 directory under XDG_CONFIG_HOME, read back, and removed", () => {
    const env = tmpEnv();
    expect(readLogin(env)).toBeNull();
    const file = saveLogin(saved, env);
    expect(file).toBe(path.join(env.XDG_CONFIG_HOME!, "berth", "config.json"));
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(readLogin(env)).toEqual(saved);
    expect(removeLogin(env)).toEqual(saved);
    expect(fs.existsSync(file)).toBe(false);
    expect(removeLogin(env)).toBeNull();
  });

  it("tightens a directory and a file that were open to others", () => {
    const env = tmpEnv();
    const dir = path.dirname(configFile(env));
    fs.mkdirSync(dir, { mode: 0o755 });
    fs.writeFileSync(configFile(env), "{}", { mode: 0o644 });
    saveLogin(saved, env);
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    expect(fs.statSync(configFile(env)).mode & 0o777).toBe(0o600);
  });

  it("refuses a file it did not write, saying which", () => {
    const env = tmpEnv();
    fs.mkdirSync(path.dirname(configFile(env)), { recursive: true });
    fs.writeFileSync(configFile(env), "not json");
    expect(() => readLogin(env)).toThrow(`${configFile(env)} is not a login this CLI wrote`);
  });

  it("writes private files through a new file, not through a symlink planted at the temporary name", () => {
    const env = tmpEnv();
    const target = path.join(env.XDG_CONFIG_HOME!, "out.env");
    const victim = path.join(env.XDG_CONFIG_HOME!, "victim");
    fs.writeFileSync(victim, "keep");
    fs.symlinkSync(victim, `${target}.${process.pid}.tmp`);
    writePrivate(target, "SECRET=1\n");
    expect(fs.readFileSync(victim, "utf8")).toBe("keep");
    expect(fs.readFileSync(target, "utf8")).toBe("SECRET=1\n");
    expect(fs.statSync(target).mode & 0o777).toBe(0o600);
  });
});
