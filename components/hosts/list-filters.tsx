// The fields of the host and container lists' filter bars (GET forms: the URL is the list's state).
export function SearchField({ value, placeholder }: { value?: string; placeholder: string }) {
  return (
    <label className="text-sm">
      <span className="block font-medium text-slate-700">Search</span>
      <input
        type="search"
        name="q"
        defaultValue={value}
        placeholder={placeholder}
        maxLength={100}
        className="mt-1 w-64 rounded-md border border-slate-300 px-3 py-1.5 text-sm"
      />
    </label>
  );
}

/** One value of a few, or Any (empty). */
export function ChoiceField({ name, label, value, choices }: { name: string; label: string; value?: string; choices: readonly (readonly [string, string])[] }) {
  return (
    <label className="text-sm">
      <span className="block font-medium text-slate-700">{label}</span>
      <select name={name} defaultValue={value ?? ""} className="mt-1 rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm">
        <option value="">Any</option>
        {choices.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
}
