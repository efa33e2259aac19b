export function Logo({ className = "" }: { className?: string }) {
  return (
    <span className={`inline-flex items-center gap-2 font-semibold tracking-tight text-slate-900 ${className}`}>
      <svg viewBox="0 0 24 24" className="h-6 w-6 text-brand-600" fill="none" stroke="currentColor" strokeWidth="2" aria-hidden>
        <path d="M3 17h18l-2 4H5l-2-4Z" strokeLinejoin="round" />
        <rect x="6" y="9" width="5" height="5" rx="0.5" />
        <rect x="13" y="9" width="5" height="5" rx="0.5" />
        <rect x="9.5" y="3.5" width="5" height="5" rx="0.5" />
      </svg>
      Berth
    </span>
  );
}
