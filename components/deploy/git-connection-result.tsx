"use client";
// What "Test connection" found, from its form's state: the branch's commit, or the failure explained.
import { useActionFormState } from "@/components/ui/action-form";
import { Alert } from "@/components/ui/alert";
import { ExplainedProblem } from "./explained-error";

export function GitConnectionResult() {
  const state = useActionFormState();
  const r = state?.ok ? state.data : undefined;
  if (!r?.result) return null;
  if (r.result === "ok") {
    return (
      <Alert tone="success">
        <div data-testid="git-connection-ok">
          Connected: <span className="font-mono">{r.ref}</span> is at <span className="font-mono">{r.commit?.slice(0, 12)}</span>.
          {r.firstHostKeys && (
            <p className="mt-1 text-xs">
              The server presented <span className="font-mono">{r.firstHostKeys}</span>; the first deployment pins it.
            </p>
          )}
        </div>
      </Alert>
    );
  }
  return (
    <Alert tone="error">
      <ExplainedProblem title={r.title ?? "The connection failed"} detail={r.reason ?? ""} hints={r.hint ? [r.hint] : []} testId="git-connection-error" />
      {r.hostKeyOffered && <p className="mt-1.5 text-sm">The key the server offers now is shown under SSH host keys.</p>}
    </Alert>
  );
}
