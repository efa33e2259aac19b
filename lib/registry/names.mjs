// Names Berth's registry and its token server agree on; plain JS, so setup's config generator
// (scripts/registry-config.mjs) and the web app share them.

/** The `service` (the tokens' audience) of Berth's registry. */
export const REGISTRY_SERVICE = "berth-registry";
/** The `iss` of Berth's registry tokens. */
export const TOKEN_ISSUER = "berth";
