// The CLI's version: package.json's, put in by scripts/build-cli.mjs ("dev" when run unbundled, as in tests).
declare const __BERTH_CLI_VERSION__: string | undefined;

export const CLI_VERSION = typeof __BERTH_CLI_VERSION__ === "string" ? __BERTH_CLI_VERSION__ : "dev";
