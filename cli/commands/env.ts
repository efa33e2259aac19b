// berth env pull|push <project>/<env>: an environment's own variables as a .env file. Secret values come
// only with --secrets (the token needs read:secrets), and a file holding them is written mode 0600.
import fs from "node:fs";
import { connect } from "../api-client";
import { writePrivate } from "../config";
import { CliError, EXIT } from "../errors";
import { parseEnvPath, showPath } from "../paths";
import { Progress } from "../progress";
import { dotenvPath } from "../resolve";

export async function envPull(pathText: string, o: { secrets?: boolean; output?: string }): Promise<number> {
  const path = parseEnvPath(pathText);
  const api = connect();
  const text = await new Progress().during(`Reading ${showPath(path)}`, async () => api.text(`${await dotenvPath(api, path)}${o.secrets ? "?secrets=1" : ""}`));
  if (!o.output) {
    process.stdout.write(text);
    return EXIT.ok;
  }
  try {
    if (o.secrets) writePrivate(o.output, text);
    else fs.writeFileSync(o.output, text);
  } catch (e) {
    throw new CliError(`Cannot write ${o.output}: ${(e as Error).message}`, EXIT.usage);
  }
  const count = text.match(/^[A-Za-z_][A-Za-z0-9_]*=/gm)?.length ?? 0;
  process.stderr.write(
    `Wrote ${count} variable${count === 1 ? "" : "s"} of ${showPath(path)} to ${o.output}${o.secrets ? " (secrets included; readable by you only)" : ""}\n`,
  );
  return EXIT.ok;
}

type PushResult = { created: string[]; updated: string[]; unchanged: string[] };

export async function envPush(pathText: string, file: string | undefined, o: { secret?: string[]; force?: boolean }): Promise<number> {
  const path = parseEnvPath(pathText);
  const name = file ?? ".env";
  let dotenv: string;
  try {
    dotenv = fs.readFileSync(name, "utf8");
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === "ENOENT";
    throw new CliError(
      missing ? `There is no ${name} here; name the file: berth env push ${pathText} <file>.` : `Cannot read ${name}: ${(e as Error).message}`,
      EXIT.usage,
    );
  }
  const api = connect();
  const r = await new Progress().during(`Writing ${showPath(path)}`, async () =>
    api.json<PushResult>("PUT", await dotenvPath(api, path), { dotenv, secretKeys: o.secret ?? [], force: Boolean(o.force) }),
  );
  console.log(`${showPath(path)}: ${r.created.length} created, ${r.updated.length} updated, ${r.unchanged.length} unchanged`);
  for (const [label, keys] of [
    ["created", r.created],
    ["updated", r.updated],
    ["unchanged", r.unchanged],
  ] as const) {
    if (keys.length) console.log(`  ${label}: ${keys.join(", ")}`);
  }
  return EXIT.ok;
}

/** Collects repeated `--secret KEY` (or `--secret A,B`) options. */
export function collectKeys(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(",")
      .map((k) => k.trim())
      .filter(Boolean),
  ];
}
