// Page links under a list whose state is the URL: each link keeps the other search params and sets `page`.
import Link from "next/link";

type Params = Record<string, string | number | undefined>;

/** The address of `page` with the other params kept (empty ones, and page 1, left out). */
export function pageHref(path: string, params: Params, page: number): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...params, page: page > 1 ? page : undefined })) if (v !== undefined && String(v) !== "") search.set(k, String(v));
  const s = search.toString();
  return s ? `${path}?${s}` : path;
}

/** Which page numbers to show: the first, the last, and two either side of the current one; null is a gap. */
export function pageWindow(page: number, pages: number): (number | null)[] {
  const shown = [...new Set([1, page - 2, page - 1, page, page + 1, page + 2, pages])].filter((p) => p >= 1 && p <= pages).sort((a, b) => a - b);
  return shown.flatMap((p, i) => (i > 0 && p - shown[i - 1]! > 1 ? [null, p] : [p]));
}

const cell = "inline-flex h-8 min-w-8 items-center justify-center rounded-md px-2 text-sm tabular-nums";

export function Pagination({
  path,
  params,
  page,
  limit,
  total,
  noun,
}: {
  path: string;
  params: Params;
  page: number;
  limit: number;
  total: number;
  noun: string;
}) {
  const pages = Math.max(1, Math.ceil(total / limit));
  const first = Math.min(total, (page - 1) * limit + 1);
  const last = Math.min(total, page * limit);
  const step = (to: number, label: string, rel: string) =>
    to >= 1 && to <= pages ? (
      <Link href={pageHref(path, params, to)} rel={rel} className={`${cell} text-slate-700 ring-1 ring-inset ring-slate-300 hover:bg-slate-50`}>
        {label}
      </Link>
    ) : (
      <span className={`${cell} cursor-not-allowed text-slate-300 ring-1 ring-inset ring-slate-200`} aria-disabled="true">
        {label}
      </span>
    );
  return (
    <nav aria-label="Pages" data-testid="pagination" className="mt-3 flex flex-wrap items-center justify-between gap-3 text-sm text-slate-500">
      <p data-testid="pagination-summary">
        {total === 0 ? (
          `No ${noun}`
        ) : (
          <>
            <span className="font-medium text-slate-700 tabular-nums">
              {first.toLocaleString("en")}–{last.toLocaleString("en")}
            </span>{" "}
            of <span className="font-medium text-slate-700 tabular-nums">{total.toLocaleString("en")}</span> {noun}
          </>
        )}
      </p>
      {pages > 1 && (
        <div className="flex items-center gap-1">
          {step(page - 1, "‹ Previous", "prev")}
          {pageWindow(Math.min(page, pages), pages).map((p, i) =>
            p === null ? (
              <span key={`gap-${i}`} className={`${cell} text-slate-400`}>
                …
              </span>
            ) : p === page ? (
              <span key={p} aria-current="page" className={`${cell} bg-brand-600 font-medium text-white`}>
                {p}
              </span>
            ) : (
              <Link key={p} href={pageHref(path, params, p)} className={`${cell} text-slate-700 hover:bg-slate-100`}>
                {p}
              </Link>
            ),
          )}
          {step(page + 1, "Next ›", "next")}
        </div>
      )}
    </nav>
  );
}
