import Link from "next/link";
import { buttonClass } from "./button-class";

type Column = string | { label: string; align?: "right" };

/** A bordered table with a header row; pass the `<tr>` rows as children. */
export function DataTable({ columns, testId, children }: { columns: Column[]; testId?: string; children: React.ReactNode }) {
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
      <table className="w-full text-sm" data-testid={testId}>
        <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
          <tr>
            {columns.map((c, i) => {
              const col = typeof c === "string" ? { label: c } : c;
              return (
                <th key={i} className={`px-4 py-2.5 font-medium ${col.align === "right" ? "text-right" : ""}`}>
                  {col.label}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">{children}</tbody>
      </table>
    </div>
  );
}

/** A GET filter form (search fields in the URL) with a Filter button and, when filtering, a Clear link. */
export function FilterBar({ clearHref, active, children }: { clearHref: string; active: boolean; children: React.ReactNode }) {
  return (
    <form method="get" role="search" className="mb-4 flex flex-wrap items-end gap-3">
      {children}
      <button type="submit" className={buttonClass("secondary")}>
        Filter
      </button>
      {active && (
        <Link href={clearHref} className="py-2 text-sm text-brand-600 hover:underline">
          Clear
        </Link>
      )}
    </form>
  );
}
