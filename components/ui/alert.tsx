const TONES = {
  error: "border-red-200 bg-red-50 text-red-800",
  success: "border-emerald-200 bg-emerald-50 text-emerald-800",
  info: "border-brand-100 bg-brand-50 text-brand-700",
  warning: "border-amber-200 bg-amber-50 text-amber-800",
} as const;

export function Alert({ tone = "info", children }: { tone?: keyof typeof TONES; children: React.ReactNode }) {
  return (
    <div role={tone === "error" ? "alert" : "status"} className={`rounded-md border px-3 py-2 text-sm ${TONES[tone]}`}>
      {children}
    </div>
  );
}

/** The outcome line of a form: its error (or a pointer to the fields that carry it), or its success message. */
export function FormMessage({ state }: { state: { ok?: boolean; error?: string; message?: string; fields?: Record<string, unknown> } | undefined }) {
  if (!state) return null;
  const onFields = Object.keys(state.fields ?? {}).some((k) => k !== "_");
  if (state.error) return <Alert tone="error">{onFields ? "Please check the fields marked below." : state.error}</Alert>;
  if (state.ok && state.message) return <Alert tone="success">{state.message}</Alert>;
  return null;
}
