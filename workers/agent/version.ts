// The agent's version, put in by scripts/build-agent.mjs (package.json's version and a hash of the image's
// bundle); "dev" when the agent runs from source (tests).
declare const __BERTH_AGENT_VERSION__: string | undefined;

export const AGENT_VERSION: string = (typeof __BERTH_AGENT_VERSION__ === "string" && __BERTH_AGENT_VERSION__) || "dev";
