"use client";
import { useState } from "react";
import { useActionFormState } from "./action-form";

/** A read-only value (a link, a command) with a Copy button. */
export function CopyField({ value, testId, label }: { value: string; testId: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="flex items-center gap-2">
      <input
        readOnly
        value={value}
        aria-label={label}
        data-testid={testId}
        className="min-w-0 flex-1 rounded-md border border-slate-300 bg-slate-50 px-3 py-2 font-mono text-xs"
        onFocus={(e) => e.currentTarget.select()}
      />
      <button
        type="button"
        className="rounded-md px-3 py-2 text-sm ring-1 ring-inset ring-slate-300 hover:bg-slate-50"
        onClick={() => navigator.clipboard?.writeText(value).then(() => setCopied(true))}
      >
        {copied ? "Copied" : "Copy"}
      </button>
    </div>
  );
}

/** Shows a value an ActionForm's action returned once (`data.url`: an invite link), with a copy button. */
export function CopyResult({ testId }: { testId: string }) {
  const state = useActionFormState();
  const url = state?.ok ? state.data?.url : undefined;
  if (!url) return null;
  return <CopyField value={url} testId={testId} />;
}
