// Shallow clone of one branch or tag into a fresh directory, with git's environment locked down
// (lib/git/env.ts) and the URL and ref validated again here, whatever the control plane checked. The
// repository's host must pass the outbound address policy (lib/net/outbound.ts) with this agent's DNS, and
// the connection is pinned to the addresses checked: curl's resolve list for https (redirects refused, as
// they could lead anywhere), ssh's HostName for ssh (host keys still filed under the name).
import { gitProcessEnv, validateRef, validateRepoUrl } from "@/lib/git/validate";
import { checkOutboundHost, type Lookup } from "@/lib/net/outbound";
import { curlResolve, sshPinOptions } from "@/lib/net/pin";
import { repoTarget } from "@/lib/net/targets";
import { runProcess } from "./run-process";

export type CloneResult = { commit: string; message: string; author: string };

/** ssh for clones without a deploy key: no ~/.ssh/config, never a prompt. */
const PLAIN_SSH = "ssh -F /dev/null -o BatchMode=yes";

/** `extraEnv` adds credentials (see git-auth.ts); it cannot override the locked-down git environment. */
export async function cloneRepo(opts: {
  url: string;
  ref: string;
  dir: string;
  allowLocal?: boolean;
  /** The host's admin allowed private networks (loopback, RFC 1918, …) for user-steered requests. */
  allowPrivateNetworks?: boolean;
  /** DNS for the policy check (tests); getaddrinfo by default. */
  lookup?: Lookup;
  extraEnv?: Record<string, string>;
  signal?: AbortSignal;
  onOutput?: (line: string) => void;
}): Promise<CloneResult> {
  const url = validateRepoUrl(opts.url, { allowLocal: opts.allowLocal });
  if (!url.ok) throw new Error(`Refused repository URL: ${url.error}`);
  const ref = validateRef(opts.ref);
  if (!ref.ok) throw new Error(`Refused branch or tag: ${ref.error}`);
  const env = { ...opts.extraEnv, ...gitProcessEnv(process.env, { allowLocal: opts.allowLocal }) };
  const config: string[] = [];
  const target = repoTarget(url.url);
  if (target) {
    const check = await checkOutboundHost(target.host, { allowPrivateNetworks: Boolean(opts.allowPrivateNetworks) }, { lookup: opts.lookup });
    if (!check.ok) throw new Error(`Refused repository URL: ${check.error}`);
    if (opts.signal?.aborted) throw new Error("cancelled");
    if (target.protocol === "https") {
      config.push("-c", `http.curloptResolve=${curlResolve(target.host, target.port, check.addresses)}`, "-c", "http.followRedirects=false");
    } else if (target.protocol === "ssh") {
      env.GIT_SSH_COMMAND = [opts.extraEnv?.GIT_SSH_COMMAND ?? PLAIN_SSH, ...sshPinOptions(target.host, check.addresses[0]!)].join(" ");
    }
    // git:// (test fixtures only) has no way to pin: checked, not pinned.
  }
  const clone = await runProcess("git", [...config, "clone", "--depth", "1", "--single-branch", "--no-tags", "--branch", ref.ref, "--", url.url, opts.dir], {
    env,
    signal: opts.signal,
    onOutput: opts.onOutput,
  });
  if (clone.code !== 0) {
    const why = clone.stderr.trim().split("\n").slice(-3).join(" ");
    const redirect = /returned error: 30[12378]\b|redirect/i.test(why) ? " (the repository URL redirects elsewhere: use the address it redirects to)" : "";
    throw new Error(`git clone failed: ${why}${redirect}`);
  }
  const log = await runProcess("git", ["-C", opts.dir, "log", "-1", "--format=%H%x00%s%x00%an <%ae>"], { env, signal: opts.signal });
  if (log.code !== 0) throw new Error(`git log failed: ${log.stderr.trim()}`);
  const [commit, message, author] = log.stdout.trim().split("\0");
  return { commit: commit!, message: message ?? "", author: author ?? "" };
}
