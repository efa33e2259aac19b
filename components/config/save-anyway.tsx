"use client";
// The deliberate way past a refused save: shown only after the server refused a value whose references do not
// resolve (lib/data/reference-check.ts), never ticked in advance.
import { useActionFormState } from "@/components/ui/action-form";

export function SaveAnyway({ label = "Save anyway: the keys it refers to will exist later" }: { label?: string }) {
  const state = useActionFormState();
  if (!state?.fields?.force) return null;
  return <SaveAnywayBox label={label} />;
}

/** The checkbox itself, for forms that keep their own state (the .env import). */
export function SaveAnywayBox({ label }: { label: string }) {
  return (
    <label className="flex items-center gap-2 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900 ring-1 ring-inset ring-amber-200">
      <input type="checkbox" name="force" data-testid="save-anyway" /> {label}
    </label>
  );
}
