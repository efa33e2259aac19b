"use client";
import Link from "next/link";
import { useParams } from "next/navigation";
import { useEffect, useRef, useState } from "react";

type TeamItem = { slug: string; name: string };

/** The current team (from the URL) and a menu to switch to another or create one. */
export function TeamSwitcher({ teams }: { teams: TeamItem[] }) {
  const { slug } = useParams<{ slug?: string }>();
  const current = teams.find((t) => t.slug === slug);
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const close = (e: MouseEvent) => ref.current && !ref.current.contains(e.target as Node) && setOpen(false);
    document.addEventListener("click", close);
    return () => document.removeEventListener("click", close);
  }, []);

  return (
    <div className="relative" ref={ref}>
      <button
        type="button"
        onClick={() => setOpen((o) => !o)}
        aria-haspopup="menu"
        aria-expanded={open}
        data-testid="team-switcher"
        className="flex items-center gap-2 rounded-md px-2 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-100"
      >
        <span className="flex h-6 w-6 items-center justify-center rounded bg-brand-100 text-xs font-semibold text-brand-700">
          {(current?.name ?? "?").slice(0, 1).toUpperCase()}
        </span>
        <span className="max-w-48 truncate">{current?.name ?? (teams.length ? "Switch team" : "No team yet")}</span>
        <svg viewBox="0 0 20 20" className="h-4 w-4 text-slate-400" fill="currentColor" aria-hidden>
          <path d="M5.23 7.21a.75.75 0 0 1 1.06.02L10 11.17l3.71-3.94a.75.75 0 1 1 1.08 1.04l-4.25 4.5a.75.75 0 0 1-1.08 0l-4.25-4.5a.75.75 0 0 1 .02-1.06Z" />
        </svg>
      </button>
      {open && (
        <div role="menu" className="absolute left-0 z-20 mt-1 w-64 rounded-md border border-slate-200 bg-white py-1 shadow-lg">
          <p className="px-3 py-1.5 text-xs font-medium uppercase tracking-wide text-slate-400">Teams</p>
          {teams.map((t) => (
            <Link
              key={t.slug}
              href={`/t/${t.slug}`}
              role="menuitem"
              onClick={() => setOpen(false)}
              className={`flex items-center justify-between px-3 py-2 text-sm hover:bg-slate-50 ${t.slug === slug ? "font-medium text-brand-700" : "text-slate-700"}`}
            >
              <span className="truncate">{t.name}</span>
              {t.slug === slug && <span aria-hidden>✓</span>}
            </Link>
          ))}
          <div className="my-1 border-t border-slate-100" />
          <Link href="/teams/new" role="menuitem" onClick={() => setOpen(false)} className="block px-3 py-2 text-sm text-slate-700 hover:bg-slate-50">
            + Create team
          </Link>
        </div>
      )}
    </div>
  );
}
