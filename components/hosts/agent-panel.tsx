// The host page's word on its agent: its version beside the one Berth serves, a protocol mismatch (the host
// gets no work until it is fixed), "Update agent" for agents running from Berth's image, and a new install
// command while the host is not online.
import { InstallCommandResult } from "@/components/hosts/install-command";
import { ActionForm, type FormAction } from "@/components/ui/action-form";
import { Alert } from "@/components/ui/alert";
import { SubmitButton } from "@/components/ui/button";
import type { AgentStanding } from "@/lib/hosts/agent-version";

type Host = {
  id: string;
  name: string;
  isLocal: boolean;
  status: "ONLINE" | "OFFLINE" | "PENDING";
  agentVersion: string | null;
  agentInContainer: boolean;
  protocolVersion: number | null;
};

export function AgentPanel({
  host,
  team,
  standing,
  berthVersion,
  canManage,
  updateAction,
  installAction,
}: {
  host: Host;
  team: string;
  standing: AgentStanding;
  berthVersion: string | null;
  canManage: boolean;
  updateAction: FormAction;
  installAction: FormAction;
}) {
  const hidden = (
    <>
      <input type="hidden" name="team" value={team} />
      <input type="hidden" name="hostId" value={host.id} />
    </>
  );
  return (
    <div className="mt-3 space-y-3" data-testid="agent-panel" data-standing={standing.kind}>
      <p className="text-sm text-slate-500">
        Agent <span className="font-mono text-xs text-slate-700">{host.agentVersion ?? "not reported yet"}</span>
        {host.agentVersion && <> ({host.agentInContainer ? "in a container" : "a process on the machine"})</>} · Berth&apos;s agent{" "}
        <span className="font-mono text-xs text-slate-700">{berthVersion ?? "not built yet"}</span>
        {host.protocolVersion !== null && <> · protocol {host.protocolVersion}</>}
      </p>
      {standing.kind === "incompatible" && (
        <Alert tone="error">
          <strong>This host gets no work:</strong> {standing.message}
          {!host.isLocal && " Its agent takes no jobs meanwhile, an update included: run a new install command on the machine."}
        </Alert>
      )}
      {standing.kind === "outdated" && (
        <Alert tone="warning">
          {standing.message}{" "}
          {host.isLocal
            ? "Berth starts the current one when it restarts."
            : host.agentInContainer
              ? "Updating replaces the agent's container; the services on the host keep running."
              : "This agent runs outside Berth's image: install it again with a new install command to update it."}
        </Alert>
      )}
      {/* Kept mounted for an agent in a container, so the update's outcome stays shown after the page refreshes. */}
      {canManage && host.agentInContainer && (
        <ActionForm action={updateAction} className="space-y-2">
          {hidden}
          {standing.kind === "outdated" && host.status === "ONLINE" && <SubmitButton pendingLabel="Updating… (up to 2 minutes)">Update agent</SubmitButton>}
        </ActionForm>
      )}
      {canManage && !host.isLocal && (host.status !== "ONLINE" || standing.kind === "incompatible") && (
        <ActionForm action={installAction} className="space-y-3">
          {hidden}
          <div className="flex flex-wrap items-center gap-3">
            <SubmitButton variant="secondary" pendingLabel="Making one…">
              New install command
            </SubmitButton>
            <span className="text-xs text-slate-500">A new command voids the one shown before. Run it on the machine; it needs only Docker.</span>
          </div>
          <InstallCommandResult />
        </ActionForm>
      )}
    </div>
  );
}
