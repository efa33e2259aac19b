// The environment git runs in on a host. It is meant to be the *whole* git-related environment: build
// it with gitProcessEnv() rather than spreading process.env, so an operator's GIT_SSH_COMMAND,
// SSH_ASKPASS, GIT_CONFIG_PARAMETERS or DISPLAY never leaks into a clone of someone's repository.

function env(protocols: string): Readonly<Record<string, string>> {
  return Object.freeze({
    // Never ask on a terminal for a user name or password: fail instead of hanging the job.
    GIT_TERMINAL_PROMPT: "0",
    // Set but empty: git then skips core.askPass and SSH_ASKPASS and, with prompts disabled, fails
    // cleanly. (Unset would let a configured askpass helper run.)
    GIT_ASKPASS: "",
    // Ignore /etc/gitconfig and the agent user's ~/.gitconfig (git ≥ 2.32): no url.insteadOf rewrites,
    // credential helpers or core.sshCommand we did not choose.
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    // Colon-separated allow-list for clone/fetch and submodules. When set it overrides every
    // protocol.*.allow setting: anything not listed (ext, fd, file, http, remote helpers) is refused.
    GIT_ALLOW_PROTOCOL: protocols,
    // Belt and braces if the list above were ever dropped: protocols whose policy is "user" (all
    // unknown helpers, by default) are refused for commands not typed by a user.
    GIT_PROTOCOL_FROM_USER: "0",
  });
}

/** Production: only https and ssh. */
export const GIT_ENV: Readonly<Record<string, string>> = env("https:ssh");
/** Tests that clone local fixture repositories (validateRepoUrl with allowLocal). */
export const GIT_ENV_LOCAL: Readonly<Record<string, string>> = env("https:ssh:file:git");

/** The few inherited variables git needs to find itself, its home and temp space, plus GIT_ENV. */
export function gitProcessEnv(base: Record<string, string | undefined>, opts: { allowLocal?: boolean } = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of ["PATH", "HOME", "TMPDIR", "LANG"]) {
    const v = base[key];
    if (v !== undefined) out[key] = v;
  }
  return { ...out, ...(opts.allowLocal ? GIT_ENV_LOCAL : GIT_ENV) };
}
