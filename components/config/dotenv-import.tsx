"use client";
// .env import: paste or upload, preview what would change, choose which new keys are secrets, apply.
import { useActionState, useState } from "react";
import { Alert, FormMessage } from "@/components/ui/alert";
import type { ActionState } from "@/lib/http/action-state";
import { SaveAnywayBox } from "./save-anyway";

type Action = (prev: ActionState | undefined, form: FormData) => Promise<ActionState>;
type Preview = { errors: { line: number; message: string }[]; changes: { key: string; status: string; secret: boolean; value: string | null }[] };

export function DotenvImport({ preview, apply, hidden }: { preview: Action; apply: Action; hidden: Record<string, string> }) {
  const [text, setText] = useState("");
  const [previewState, previewAction, previewing] = useActionState(preview, undefined);
  const [applyState, applyAction, applying] = useActionState(apply, undefined);
  const p: Preview | null = previewState?.ok && previewState.data?.preview ? JSON.parse(previewState.data.preview) : null;
  const inputs = Object.entries(hidden).map(([k, v]) => <input key={k} type="hidden" name={k} value={v} />);
  const changing = p?.changes.filter((c) => c.status !== "unchanged") ?? [];
  // Refused because a reference would not resolve: the message says which, and importing anyway is one tick away.
  const refused = Boolean(applyState && !applyState.ok && applyState.fields?.force);
  return (
    <div className="space-y-3">
      <form action={previewAction} className="space-y-2">
        {inputs}
        <textarea
          name="dotenv"
          value={text}
          onChange={(e) => setText(e.target.value)}
          rows={6}
          placeholder={"DATABASE_URL=postgres://…\nLOG_LEVEL=info"}
          aria-label=".env contents"
          className="block w-full rounded-md border border-slate-300 px-3 py-2 font-mono text-xs"
        />
        <div className="flex items-center gap-3 text-sm">
          <label className="cursor-pointer text-brand-600 hover:underline">
            Upload a file
            <input type="file" accept=".env,text/plain" className="hidden" onChange={async (e) => setText((await e.target.files?.[0]?.text()) ?? "")} />
          </label>
          <button
            type="submit"
            disabled={previewing || !text.trim()}
            className="rounded-md px-3 py-1.5 ring-1 ring-inset ring-slate-300 hover:bg-slate-50 disabled:text-slate-400"
          >
            {previewing ? "Reading…" : "Preview changes"}
          </button>
        </div>
        <FormMessage state={previewState} />
      </form>
      {p && (
        <form action={applyAction} className="space-y-2 rounded-md border border-slate-200 p-3" data-testid="import-preview">
          {inputs}
          <input type="hidden" name="dotenv" value={text} />
          {p.errors.map((e) => (
            <p key={e.line} className="text-sm text-red-600">
              {e.message}
            </p>
          ))}
          <table className="w-full text-xs">
            <tbody className="divide-y divide-slate-100">
              {p.changes.map((c) => (
                <tr key={c.key}>
                  <td className="py-1 font-mono font-medium">{c.key}</td>
                  <td className="py-1 font-mono text-slate-600">{c.secret ? "••••••" : c.value}</td>
                  <td className="py-1">{c.status}</td>
                  <td className="py-1 text-right">
                    {c.status === "new" && (
                      <label className="inline-flex items-center gap-1">
                        <input type="checkbox" name="secretKeys" value={c.key} /> secret
                      </label>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {refused && <SaveAnywayBox label="Import anyway: the keys they refer to will exist later" />}
          <button
            type="submit"
            disabled={applying || p.errors.length > 0 || changing.length === 0}
            className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-medium text-white disabled:bg-brand-600/50"
          >
            {applying ? "Importing…" : changing.length ? `Apply ${changing.length} change${changing.length === 1 ? "" : "s"}` : "Nothing to change"}
          </button>
          {refused ? <Alert tone="error">{applyState?.error}</Alert> : <FormMessage state={applyState} />}
        </form>
      )}
    </div>
  );
}
