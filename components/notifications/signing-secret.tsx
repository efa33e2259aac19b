"use client";
// A webhook channel's signing secret, just made (create or rotate): shown here once, never again (Berth
// keeps it sealed and only the sender opens it).
import { useActionFormState } from "@/components/ui/action-form";
import { CopyField } from "@/components/ui/copy-result";

export function NewSigningSecret() {
  const state = useActionFormState();
  const secret = state?.ok ? state.data?.signingSecret : undefined;
  if (!secret) return null;
  return (
    <div className="space-y-3 rounded-lg border border-amber-200 bg-amber-50 p-4" data-testid="signing-secret">
      <div>
        <p className="text-sm font-semibold text-amber-900">Copy the signing secret of {state?.data?.name ?? "the channel"} now</p>
        <p className="text-sm text-amber-800">
          This is the only time Berth shows it. Your receiver verifies each message's <code className="font-mono">webhook-signature</code> header with it
          (Standard Webhooks). If you lose it, rotate it.
        </p>
      </div>
      <CopyField value={secret} testId="signing-secret-value" label="Signing secret" />
    </div>
  );
}
