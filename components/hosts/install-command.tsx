"use client";
// The install command an action returned once (Add host, New install command): only its hash is kept, so it
// cannot be shown again; a new one voids it.
import Link from "next/link";
import { relative } from "@/components/time";
import { useActionFormState } from "@/components/ui/action-form";
import { CopyField } from "@/components/ui/copy-result";

export function InstallCommandResult() {
  const state = useActionFormState();
  const d = state?.ok ? state.data : undefined;
  if (!d?.curl || !d.wget || !d.expiresAt) return null;
  const expires = new Date(d.expiresAt);
  return (
    <div className="space-y-3 rounded-md border border-brand-100 bg-brand-50/40 p-4" data-testid="install-command">
      <p className="text-sm text-slate-700">
        Paste this on the machine, as root or a user allowed to use Docker. It needs <strong>only Docker</strong> (and curl or wget): it loads Berth&apos;s
        agent image, starts it in a container named <code className="font-mono text-xs">berth-agent</code>, and the host shows online here within seconds.
      </p>
      {d.warning && (
        <p className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-800" data-testid="install-warning">
          {d.warning}
        </p>
      )}
      <CopyField value={d.curl} testId="agent-command" label="Install command (curl)" />
      <div className="space-y-1">
        <p className="text-xs text-slate-500">No curl on the machine? The same with wget:</p>
        <CopyField value={d.wget} testId="agent-command-wget" label="Install command (wget)" />
      </div>
      <p className="text-xs text-slate-500">
        Works once, until{" "}
        <time dateTime={expires.toISOString()} title={expires.toUTCString()} suppressHydrationWarning>
          {expires.toLocaleString()}
        </time>{" "}
        ({relative(expires)}). Its agent gets its own credentials from Berth; they never appear in the command.
        {d.hostPath && (
          <>
            {" "}
            <Link href={d.hostPath} className="text-brand-700 hover:underline">
              Open {d.name ?? "the host"}
            </Link>{" "}
            to watch it come online, or for a new command later.
          </>
        )}
      </p>
    </div>
  );
}
