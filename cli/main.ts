// The `berth` command line: parses arguments (commander), runs one command against Berth's JSON API, and
// exits with a code that says how it went (errors.ts). Bundled by scripts/build-cli.mjs, run by cli/berth.mjs.
import { Command, CommanderError, InvalidArgumentError } from "commander";
import { deploy, rollback } from "./commands/deploy";
import { collectKeys, envPull, envPush } from "./commands/env";
import { login, logout, whoami } from "./commands/login";
import { logs } from "./commands/logs";
import { status } from "./commands/status";
import { CliError, EXIT, EXIT_HELP } from "./errors";
import { cleanLine } from "./text";
import { CLI_VERSION } from "./version";

const MORE_HELP = `
Paths name a service as <project>/<env>/<service> (e.g. shop/staging/web) and an environment as
<project>/<env>, with the slugs Berth shows in its URLs.

Environment:
  BERTH_URL, BERTH_TOKEN  use this Berth and this token instead of the saved login (for CI)
  XDG_CONFIG_HOME         the login is saved in $XDG_CONFIG_HOME/berth/config.json (default ~/.config)
  NO_COLOR                print log lines without their colours

${EXIT_HELP}`;

function tailCount(v: string): number {
  if (!/^[0-9]{1,5}$/.test(v)) throw new InvalidArgumentError("Give a number of lines, e.g. 200.");
  return Number(v);
}

/** Runs a command and keeps its exit code for the process. */
const run =
  <A extends unknown[]>(fn: (...args: A) => Promise<number> | number) =>
  async (...args: A) => {
    process.exitCode = await fn(...args);
  };

export function program(): Command {
  const p = new Command("berth")
    .description("Deploy and configure services on Berth from a terminal or CI, through Berth's JSON API.")
    .version(CLI_VERSION)
    .exitOverride()
    .showHelpAfterError("(berth --help shows the commands)")
    .addHelpText("after", MORE_HELP);

  p.command("login")
    .description("Save Berth's address and an API token (checked first); the token is asked for without echo")
    .argument("<url>", "Berth's address, e.g. https://berth.example.com")
    .option("--token-stdin", "read the token from stdin (for CI: echo $TOKEN | berth login <url> --token-stdin)")
    .action(run((url: string, o: { tokenStdin?: boolean }) => login(url, o)));
  p.command("logout").description("Forget the saved login (the token stays valid until revoked in Berth)").action(run(logout));
  p.command("whoami").description("Show the user, team, scopes and limit of the token in use").action(run(whoami));

  p.command("status")
    .description("Hosts, then each service with its live release and its latest deployment")
    .option("--json", "print the status as JSON")
    .action(run((o: { json?: boolean }) => status(o)));

  p.command("deploy")
    .description("Deploy a service as configured now (a git service builds its branch, an image service pulls)")
    .argument("<project/env/service>", "the service, e.g. shop/staging/web")
    .option("-w, --wait", "follow the deployment: steps, log, outcome; the exit code is 0 only when it goes live")
    .option("--json", "print {id, number, url} (with --wait also status and error) as JSON; progress goes to stderr")
    .action(run((path: string, o: { wait?: boolean; json?: boolean }) => deploy(path, o)));

  p.command("rollback")
    .description("Run release #n of the service again, with the configuration it ran with (a new deployment)")
    .argument("<project/env/service>", "the service, e.g. shop/staging/web")
    .argument("<n>", "the release number, e.g. 3 or #3")
    .option("-w, --wait", "follow the deployment like deploy --wait")
    .option("--json", "print the result as JSON, like deploy")
    .action(run((path: string, n: string, o: { wait?: boolean; json?: boolean }) => rollback(path, n, o)));

  p.command("logs")
    .description("Print a service's container output (stderr lines to stderr)")
    .argument("<project/env/service>", "the service, e.g. shop/staging/web")
    .option("-f, --follow", "keep printing new lines until Ctrl-C")
    .option("-n, --tail <lines>", "lines from the end to start with", tailCount, 200)
    .option("-t, --timestamps", "start each line with its time")
    .action(run((path: string, o: { follow?: boolean; tail: number; timestamps?: boolean }) => logs(path, o)));

  const env = p.command("env").description("An environment's own variables as a .env file");
  env
    .command("pull")
    .description("Print the environment's variables in .env format (secrets are left out unless --secrets)")
    .argument("<project/env>", "the environment, e.g. shop/staging")
    .option("--secrets", "include secret values (the token needs the read:secrets scope; it is audited)")
    .option("-o, --output <file>", "write to this file instead of stdout (mode 0600 with --secrets)")
    .action(run((path: string, o: { secrets?: boolean; output?: string }) => envPull(path, o)));
  env
    .command("push")
    .description("Create or update the environment's variables from a .env file; prints what changed")
    .argument("<project/env>", "the environment, e.g. shop/staging")
    .argument("[file]", "the .env file", ".env")
    .option("--secret <key>", "store this key as a secret (repeat, or A,B); keys that are secrets stay secret", collectKeys)
    .option("--force", "write even when a value refers to a variable that does not exist (yet)")
    .action(run((path: string, file: string, o: { secret?: string[]; force?: boolean }) => envPush(path, file, o)));
  return p;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await program().parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : EXIT.ok;
  } catch (e) {
    // commander has printed its message; help and --version end with 0.
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (e instanceof CliError) {
      process.stderr.write(`berth: ${cleanLine(e.message, false)}\n`);
      return e.exitCode;
    }
    process.stderr.write(`berth: unexpected error: ${(e as Error).stack ?? e}\n`);
    return EXIT.failed;
  }
}
