"use client";
// A labelled input with its error message. Inside an ActionForm, errors and the values a failed
// submission echoed come from the form's state.
import { useActionFormState } from "./action-form";
export function Field({
  label,
  name,
  error,
  hint,
  className = "",
  ...input
}: { label: string; name: string; error?: string[]; hint?: string } & React.InputHTMLAttributes<HTMLInputElement>) {
  const state = useActionFormState();
  error ??= state?.fields?.[name];
  const echoed = state && !state.ok && input.type !== "password" ? state.values?.[name] : undefined;
  const id = input.id ?? `f-${name}`;
  return (
    <div className={className}>
      <label htmlFor={id} className="block text-sm font-medium text-slate-700">
        {label}
      </label>
      <input
        key={echoed === undefined ? "initial" : `echo-${echoed}`}
        id={id}
        name={name}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : hint ? `${id}-hint` : undefined}
        className={`mt-1 block w-full rounded-md border px-3 py-2 text-sm shadow-sm focus:outline-none focus:ring-2 disabled:bg-slate-100 ${
          error ? "border-red-400 focus:ring-red-300" : "border-slate-300 focus:border-brand-500 focus:ring-brand-100"
        }`}
        {...input}
        defaultValue={echoed ?? input.defaultValue}
      />
      {error ? (
        <p id={`${id}-error`} className="mt-1 text-sm text-red-600">
          {error[0]}
        </p>
      ) : hint ? (
        <p id={`${id}-hint`} className="mt-1 text-xs text-slate-500">
          {hint}
        </p>
      ) : null}
    </div>
  );
}

export function Select({
  label,
  name,
  error,
  children,
  className = "",
  ...select
}: { label: string; name: string; error?: string[] } & React.SelectHTMLAttributes<HTMLSelectElement>) {
  const state = useActionFormState();
  error ??= state?.fields?.[name];
  const id = select.id ?? `f-${name}`;
  return (
    <div className={className}>
      <label htmlFor={id} className="block text-sm font-medium text-slate-700">
        {label}
      </label>
      <select
        id={id}
        name={name}
        className="mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-brand-500 focus:outline-none focus:ring-2 focus:ring-brand-100"
        {...select}
      >
        {children}
      </select>
      {error && <p className="mt-1 text-sm text-red-600">{error[0]}</p>}
    </div>
  );
}

/** A labelled textarea; shows the first error of its field or of any item in it (`ports.2`). */
export function TextAreaField({
  label,
  name,
  placeholder,
  rows = 3,
  defaultValue,
}: {
  label: string;
  name: string;
  placeholder?: string;
  rows?: number;
  defaultValue?: string;
}) {
  const state = useActionFormState();
  const error = Object.entries(state?.fields ?? {}).find(([k]) => k === name || k.startsWith(`${name}.`))?.[1];
  const echoed = state && !state.ok ? state.values?.[name] : undefined;
  return (
    <label className="block text-sm">
      <span className="font-medium text-slate-700">{label}</span>
      <textarea
        key={echoed === undefined ? "initial" : `echo-${echoed}`}
        name={name}
        rows={rows}
        placeholder={placeholder}
        defaultValue={echoed ?? defaultValue}
        aria-invalid={error ? true : undefined}
        className={`mt-1 block w-full rounded-md border px-3 py-2 font-mono text-xs shadow-sm ${error ? "border-red-400" : "border-slate-300"}`}
      />
      {error && <span className="mt-1 block text-sm text-red-600">{error[0]}</span>}
    </label>
  );
}
