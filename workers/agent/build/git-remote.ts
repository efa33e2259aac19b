// One repository as git commands on this host reach it: the URL validated again here, whatever the control
// plane checked; its host checked against the outbound address policy with this agent's DNS and pinned to
// the addresses checked (curl's resolve list for https, redirects refused as they could lead anywhere; ssh's
// HostName for ssh, host keys still filed under the name); git's environment locked down (lib/git/env.ts)
// with the credentials and host keys of git-auth.ts over it. A failing command becomes a GitError that
// explains itself (lib/git/explain.ts); when ssh met another host key than the pinned one, the error carries
// the keys the server offers now, for an admin to accept.
import { explainGitFailure, formatGitProblem, type ExplainContext, type GitAccess, type GitProblem } from "@/lib/git/explain";
import { gitProcessEnv, validateRepoUrl } from "@/lib/git/validate";
import { checkOutboundHost, type Lookup } from "@/lib/net/outbound";
import { curlResolve, sshPinOptions } from "@/lib/net/pin";
import { repoTarget } from "@/lib/net/targets";
import { scanHostKeys } from "./host-keys";
import { runProcess, type ProcessResult } from "./run-process";

/** ssh for commands without gitAuthEnv() (tests): no ~/.ssh/config, never a prompt. */
const PLAIN_SSH = "ssh -F /dev/null -o BatchMode=yes";

export class GitError extends Error {
  constructor(
    message: string,
    readonly problem: GitProblem,
    /** known_hosts lines the server offers instead of the pinned ones (host key changed). */
    readonly hostKeyOffer: string | null = null,
  ) {
    super(message);
  }
}

export type GitRemote = {
  url: string;
  access: GitAccess;
  /** Runs `git [pinning config] <args>`; a non-zero exit throws a GitError prefixed with `what` ("git clone failed: "). */
  git(
    args: string[],
    opts: { what: string; explain?: Omit<ExplainContext, "access">; cwd?: string; onOutput?: (line: string) => void; okCodes?: number[] },
  ): Promise<ProcessResult>;
  /** Runs git without the network (init, checkout, log) in the same environment. */
  local(args: string[]): Promise<ProcessResult>;
};

export type RemoteOptions = {
  url: string;
  allowLocal?: boolean;
  /** The host's admin allowed private networks (loopback, RFC 1918, …) for user-steered requests. */
  allowPrivateNetworks?: boolean;
  /** DNS for the policy check (tests); getaddrinfo by default. */
  lookup?: Lookup;
  /** From gitAuthEnv(); it cannot override the locked-down git environment. */
  extraEnv?: Record<string, string>;
  /** How the service reaches the repository, for the hints. */
  access?: GitAccess;
  /** Whether ssh checked pinned host keys: only then is a host key failure a changed key worth an offer. */
  pinnedHostKeys?: boolean;
  signal?: AbortSignal;
};

export async function openRemote(opts: RemoteOptions): Promise<GitRemote> {
  const url = validateRepoUrl(opts.url, { allowLocal: opts.allowLocal });
  if (!url.ok) throw new Error(`Refused repository URL: ${url.error}`);
  const env = { ...opts.extraEnv, ...gitProcessEnv(process.env, { allowLocal: opts.allowLocal }) };
  const config: string[] = [];
  let ssh: { address: string; port: number; alias: string } | null = null;
  const target = repoTarget(url.url);
  if (target) {
    const check = await checkOutboundHost(target.host, { allowPrivateNetworks: Boolean(opts.allowPrivateNetworks) }, { lookup: opts.lookup });
    if (!check.ok) throw new Error(`Refused repository URL: ${check.error}`);
    if (opts.signal?.aborted) throw new Error("cancelled");
    if (target.protocol === "https") {
      config.push("-c", `http.curloptResolve=${curlResolve(target.host, target.port, check.addresses)}`, "-c", "http.followRedirects=false");
    } else if (target.protocol === "ssh") {
      env.GIT_SSH_COMMAND = [opts.extraEnv?.GIT_SSH_COMMAND ?? PLAIN_SSH, ...sshPinOptions(target.host, check.addresses[0]!)].join(" ");
      ssh = { address: check.addresses[0]!, port: target.port, alias: target.host };
    }
    // git:// (test fixtures only) has no way to pin: checked, not pinned.
  }
  const access = opts.access ?? "none";
  const signal = opts.signal;

  return {
    url: url.url,
    access,
    async git(args, o) {
      const r = await runProcess("git", [...config, ...args], { env, cwd: o.cwd, signal, onOutput: o.onOutput });
      if (r.code === 0 || o.okCodes?.includes(r.code ?? -1)) return r;
      const problem = explainGitFailure(r.stderr, { access, ...o.explain });
      const redirect = /returned error: 30[12378]\b|redirect/i.test(r.stderr)
        ? "\nThe repository URL redirects elsewhere: use the address it redirects to."
        : "";
      let offer: string | null = null;
      if (problem.kind === "host-key-changed" && ssh && opts.pinnedHostKeys) {
        offer = await scanHostKeys({ ...ssh, signal }).catch(() => null);
      }
      throw new GitError(`${formatGitProblem(problem, o.what)}${redirect}`, problem, offer);
    },
    local: (args) => runProcess("git", args, { env, signal }),
  };
}
