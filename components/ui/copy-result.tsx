"use client";
import { useState } from "react";
import { useActionFormState } from "./action-form";

/** Shows a value an ActionForm's action returned once (`data.url`: an invite link, an agent command), with a copy button. */
export function CopyResult({ testId }: { testId: string }) {
  const state = useActionFormState();
  const [copied, setCopied] = useState(false);
  const url = state?.ok ? state.data?.url : undefined;
  if (!url) return null;
  return (
    <div className="flex items-center gap-2">
      <input
        readOnly
        value={url}
        data-testid={testId}
        className="min-w-0 flex-1 rounded-md border border-slate-300 bg-slate-50 px-3 py-2 font-mono text-xs"
        onFocus={(e) => e.currentTarget.select()}
      />
      <button
        type="button"
        className="rounded-md px-3 py-2 text-sm ring-1 ring-inset ring-slate-300 hover:bg-slate-50"
        onClick={() => navigator.clipboard?.writeText(url).then(() => setCopied(true))}
      >
        {copied ? "Copied" : "Copy"}
      </button>
    </div>
  );
}
