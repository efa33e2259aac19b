// A git service's connection to its repository: "Test connection" (git ls-remote from the service's host,
// with its credential), the git server's pinned SSH host keys, and a replacement key the server offers, which
// an admin may accept after comparing fingerprints with the server's own (`ssh-keygen -lf`).
import { ActionForm } from "@/components/ui/action-form";
import type { ActionState } from "@/lib/http/action-state";
import { Alert } from "@/components/ui/alert";
import { SubmitButton } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { GitConnectionResult } from "./git-connection-result";

type Action = (prev: ActionState | undefined, form: FormData) => Promise<ActionState>;
type Key = { host: string; type: string; fingerprint: string };

function KeyList({ keys, testId }: { keys: Key[]; testId: string }) {
  return (
    <ul className="space-y-0.5 font-mono text-xs text-slate-700" data-testid={testId}>
      {keys.map((k) => (
        <li key={`${k.type} ${k.fingerprint}`}>
          {k.type} {k.fingerprint} <span className="text-slate-400">({k.host})</span>
        </li>
      ))}
    </ul>
  );
}

export function GitConnectionCard({
  service,
  inputs,
  canTest,
  canAccept,
  testAction,
  acceptAction,
}: {
  service: { gitUrl: string | null; gitBranch: string | null; hostKeys: Key[]; hostKeyOffer: Key[]; hostId: string | null };
  inputs: React.ReactNode;
  canTest: boolean;
  canAccept: boolean;
  testAction: Action;
  acceptAction: Action;
}) {
  const ssh = /^ssh:\/\/|^[^@/:]+@[^/:]+:/.test(service.gitUrl ?? "");
  return (
    <Card title="Repository connection" description={`How ${service.gitUrl ?? "the repository"} is reached from the service's host.`}>
      <div className="space-y-4">
        {canTest && (
          <ActionForm action={testAction} className="space-y-2">
            {inputs}
            <div className="flex items-center gap-3">
              <SubmitButton variant="secondary" pendingLabel="Testing…" disabled={!service.hostId} data-testid="git-connection-test">
                Test connection
              </SubmitButton>
              <span className="text-xs text-slate-500">Runs git ls-remote of {service.gitBranch} on the host, with this service&apos;s credential.</span>
            </div>
            <GitConnectionResult />
          </ActionForm>
        )}
        {ssh && (
          <div className="space-y-1.5">
            <h3 className="text-sm font-medium text-slate-800">SSH host keys</h3>
            {service.hostKeys.length ? (
              <>
                <p className="text-xs text-slate-500">Pinned at the first successful clone; a server presenting another key is refused.</p>
                <KeyList keys={service.hostKeys} testId="git-host-keys" />
              </>
            ) : (
              <p className="text-xs text-slate-500" data-testid="git-host-keys-none">
                None pinned yet: the first successful clone pins the key the server presents.
              </p>
            )}
            {service.hostKeyOffer.length > 0 && (
              <Alert tone="warning">
                <div className="space-y-1.5" data-testid="git-host-key-offer">
                  <p>
                    <span className="font-medium">The server presents another host key.</span> Clones fail until it is accepted. Accept it only if the
                    server&apos;s key really changed: compare with <span className="font-mono">ssh-keygen -lf</span> of the server&apos;s host key.
                  </p>
                  <KeyList keys={service.hostKeyOffer} testId="git-host-key-offer-keys" />
                  {canAccept ? (
                    <ActionForm action={acceptAction} className="space-y-2" confirm="Trust this host key for the repository's server from now on?">
                      {inputs}
                      <input type="hidden" name="offer" value={service.hostKeyOffer.map((k) => k.fingerprint).join(" ")} />
                      <SubmitButton variant="secondary" pendingLabel="Accepting…" data-testid="git-host-key-accept">
                        Accept the new key
                      </SubmitButton>
                    </ActionForm>
                  ) : (
                    <p className="text-xs">An admin can accept it here.</p>
                  )}
                </div>
              </Alert>
            )}
          </div>
        )}
      </div>
    </Card>
  );
}
