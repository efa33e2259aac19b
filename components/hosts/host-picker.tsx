"use client";
// Choosing one of many hosts (more than a form lists: lib/data/hosts.ts `hostChoices`): type part of a name and
// pick from the team's hosts that match, searched on the server through the hosts list API (the session's own
// team and rights). The choice goes with the form as `hostId`.
import { useEffect, useId, useRef, useState } from "react";
import { useActionFormState } from "@/components/ui/action-form";

type Choice = { id: string; name: string; status: string };
const SHOWN = 10;

export function HostPicker({ team, initial }: { team: string; initial: Choice | null }) {
  const state = useActionFormState();
  const error = state?.fields?.hostId;
  const [chosen, setChosen] = useState<Choice | null>(initial);
  const [text, setText] = useState(initial?.name ?? "");
  const [open, setOpen] = useState(false);
  const [found, setFound] = useState<{ hosts: Choice[]; total: number } | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const id = useId();
  const asked = useRef(0);

  useEffect(() => {
    if (!open) return;
    const n = ++asked.current;
    const q = text === chosen?.name ? "" : text.trim();
    const timer = setTimeout(async () => {
      try {
        const res = await fetch(`/api/v1/teams/${encodeURIComponent(team)}/hosts?limit=${SHOWN}${q ? `&q=${encodeURIComponent(q)}` : ""}`);
        const body = await res.json();
        if (n !== asked.current) return; // a newer search is under way
        if (!res.ok) throw new Error(body?.error?.message ?? `HTTP ${res.status}`);
        setFound({ hosts: body.hosts, total: body.total });
        setProblem(null);
      } catch (e) {
        if (n === asked.current) setProblem(`Could not search the hosts: ${(e as Error).message}`);
      }
    }, 150);
    return () => clearTimeout(timer);
  }, [open, text, team, chosen]);

  const choose = (h: Choice) => {
    setChosen(h);
    setText(h.name);
    setOpen(false);
  };

  return (
    <div className="relative">
      <label htmlFor={id} className="block text-sm font-medium text-slate-700">
        Host
      </label>
      <input type="hidden" name="hostId" value={chosen?.id ?? ""} />
      <input
        id={id}
        role="combobox"
        aria-expanded={open}
        aria-controls={`${id}-list`}
        aria-autocomplete="list"
        aria-invalid={error ? true : undefined}
        autoComplete="off"
        placeholder="a host's name"
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          setOpen(true);
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => {
          // A click on a result lands before this; otherwise what was typed is not a choice.
          setTimeout(() => {
            setOpen(false);
            setText(chosen?.name ?? "");
          }, 150);
        }}
        onKeyDown={(e) => {
          if (e.key === "Escape") {
            setOpen(false);
            setText(chosen?.name ?? "");
          }
          if (e.key === "Enter" && open) {
            e.preventDefault(); // choosing, not submitting
            if (found?.hosts[0]) choose(found.hosts[0]);
          }
        }}
        className={`mt-1 block w-full rounded-md border px-3 py-2 text-sm shadow-sm focus:outline-none focus:ring-2 ${
          error ? "border-red-400 focus:ring-red-300" : "border-slate-300 focus:border-brand-500 focus:ring-brand-100"
        }`}
      />
      {open && (
        <div
          id={`${id}-list`}
          role="listbox"
          className="absolute z-10 mt-1 max-h-72 w-full overflow-auto rounded-md border border-slate-200 bg-white py-1 text-sm shadow-lg"
        >
          {problem && <p className="px-3 py-2 text-red-600">{problem}</p>}
          {!problem && !found && <p className="px-3 py-2 text-slate-500">Searching…</p>}
          {!problem && found?.hosts.length === 0 && <p className="px-3 py-2 text-slate-500">No host matches “{text.trim()}”.</p>}
          {!problem &&
            found?.hosts.map((h) => (
              <button
                key={h.id}
                type="button"
                role="option"
                aria-selected={h.id === chosen?.id}
                onMouseDown={(e) => e.preventDefault()}
                onClick={() => choose(h)}
                className={`flex w-full items-center justify-between px-3 py-1.5 text-left hover:bg-slate-50 ${h.id === chosen?.id ? "font-medium text-brand-700" : ""}`}
              >
                <span>{h.name}</span>
                <span className="text-xs text-slate-400">{h.status.toLowerCase()}</span>
              </button>
            ))}
          {!problem && found && found.total > found.hosts.length && (
            <p className="px-3 py-1.5 text-xs text-slate-400">
              {found.hosts.length} of {found.total}: type more of a name to narrow.
            </p>
          )}
        </div>
      )}
      {error ? (
        <p className="mt-1 text-sm text-red-600">{error[0]}</p>
      ) : (
        <p className="mt-1 text-xs text-slate-500">Type part of a name to search the team&apos;s hosts.</p>
      )}
    </div>
  );
}
