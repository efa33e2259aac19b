// Exit codes, and the error every command throws: main.ts prints its message and exits with its code.
export const EXIT = {
  ok: 0,
  /** The operation ran and failed: a deployment FAILED or was CANCELLED, a conflict (409, 410). */
  failed: 1,
  /** Bad arguments or bad input (400). */
  usage: 2,
  /** Not logged in, a token that is not valid (401), or not allowed: a missing scope or role (403). */
  auth: 3,
  notFound: 4,
  /** Berth could not be reached, or answered with something other than its JSON API. */
  unavailable: 5,
  /** Ctrl-C (128 + SIGINT): a deployment being watched keeps running. */
  interrupted: 130,
} as const;

export const EXIT_HELP = `Exit codes:
  0    done (with --wait: the deployment went live)
  1    the operation failed: a deployment FAILED or was CANCELLED, or Berth refused it as a conflict
  2    usage error: bad arguments or input
  3    not logged in, the token is not valid, or it may not do this (missing scope or role)
  4    not found (or not visible to this token)
  5    Berth could not be reached or answered with an error
  130  interrupted by Ctrl-C (a deployment being watched keeps running)`;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/** The exit code for an HTTP error status from Berth's API. */
export function exitCodeForStatus(status: number): number {
  if (status === 401 || status === 403) return EXIT.auth;
  if (status === 404) return EXIT.notFound;
  if (status === 400) return EXIT.usage;
  if (status === 409 || status === 410) return EXIT.failed;
  return EXIT.unavailable; // 429, 5xx, and statuses this CLI does not expect (an older or newer server)
}
