"use client";
// The token the create form just made: shown here once, never again (Berth keeps only its hash).
import { useActionFormState } from "@/components/ui/action-form";
import { CopyField } from "@/components/ui/copy-result";

export function CreatedToken({ berthUrl }: { berthUrl: string }) {
  const state = useActionFormState();
  const token = state?.ok ? state.data?.token : undefined;
  if (!token) return null;
  return (
    <div className="space-y-3 rounded-lg border border-amber-200 bg-amber-50 p-4" data-testid="new-token">
      <div>
        <p className="text-sm font-semibold text-amber-900">Copy {state?.data?.name ?? "the token"} now</p>
        <p className="text-sm text-amber-800">This is the only time Berth shows it: only its hash is stored. If you lose it, revoke it and make another.</p>
      </div>
      <CopyField value={token} testId="new-token-value" label="Your new API token" />
      <p className="text-xs text-amber-800">
        Use it with <code className="rounded bg-white/70 px-1 font-mono">npx berth login {berthUrl}</code> or send it as{" "}
        <code className="rounded bg-white/70 px-1 font-mono">Authorization: Bearer {token.slice(0, 12)}…</code>
      </p>
    </div>
  );
}
