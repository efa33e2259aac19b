"use client";
// Container logs: the last N lines, then (when following) new lines about every 2 s (lib/poll-delay.ts); stdout
// and stderr told apart, optional timestamps, a search filter and a download of what is loaded.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { nextPollIn } from "@/lib/poll-delay";

type Line = { stream: "stdout" | "stderr"; text: string; ts: string | null };

export function LogViewer({ endpoint, name }: { endpoint: string; name: string }) {
  const [lines, setLines] = useState<Line[]>([]);
  const [tail, setTail] = useState(200);
  const [follow, setFollow] = useState(true);
  const [showTs, setShowTs] = useState(false);
  const [query, setQuery] = useState("");
  const [error, setError] = useState<string>();
  const box = useRef<HTMLDivElement>(null);
  const last = useRef<string | null>(null);

  const load = useCallback(
    async (initial: boolean) => {
      const since = !initial && last.current ? Math.floor(new Date(last.current).getTime() / 1000) : undefined;
      let res: Response;
      let body: { lines: Line[]; error?: { message?: string } };
      try {
        res = await fetch(`${endpoint}?tail=${tail}&timestamps=1${since !== undefined ? `&since=${since}` : ""}`);
        body = await res.json();
      } catch (e) {
        setError(`Could not load logs: ${(e as Error).message}`);
        return;
      }
      if (!res.ok) {
        setError(body.error?.message ?? "Could not load logs.");
        return;
      }
      setError(undefined);
      let fresh: Line[] = body.lines;
      if (!initial && last.current) fresh = fresh.filter((l) => !l.ts || l.ts > last.current!);
      if (fresh.length) last.current = fresh[fresh.length - 1]!.ts ?? last.current;
      setLines((prev) => (initial ? fresh : [...prev, ...fresh].slice(-5000)));
    },
    [endpoint, tail],
  );

  useEffect(() => {
    last.current = null;
    void load(true);
  }, [load]);
  useEffect(() => {
    if (!follow) return;
    let stop = false;
    let timer: ReturnType<typeof setTimeout>;
    const tick = async () => {
      await load(false);
      if (!stop) timer = setTimeout(tick, nextPollIn());
    };
    timer = setTimeout(tick, nextPollIn());
    return () => {
      stop = true;
      clearTimeout(timer);
    };
  }, [follow, load]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: new lines are what should scroll the box down
  useEffect(() => {
    if (follow && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [lines, follow]);

  const shown = useMemo(() => (query ? lines.filter((l) => l.text.toLowerCase().includes(query.toLowerCase())) : lines), [lines, query]);

  function download() {
    const text = lines.map((l) => `${l.ts ?? ""} ${l.stream} ${l.text}`).join("\n");
    const a = document.createElement("a");
    a.href = URL.createObjectURL(new Blob([text], { type: "text/plain" }));
    a.download = `${name}.log`;
    a.click();
  }

  return (
    <div>
      <div className="mb-2 flex flex-wrap items-center gap-3 text-sm">
        <label className="flex items-center gap-1.5">
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} /> Follow
        </label>
        <label className="flex items-center gap-1.5">
          <input type="checkbox" checked={showTs} onChange={(e) => setShowTs(e.target.checked)} /> Timestamps
        </label>
        <label className="flex items-center gap-1.5">
          Last
          <select value={tail} onChange={(e) => setTail(Number(e.target.value))} className="rounded border border-slate-300 bg-white px-1.5 py-0.5">
            {[100, 200, 1000, 5000].map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
          lines
        </label>
        <input
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          placeholder="Search logs"
          aria-label="Search logs"
          className="rounded-md border border-slate-300 px-2 py-1"
        />
        <button type="button" onClick={download} className="rounded-md px-2.5 py-1 ring-1 ring-inset ring-slate-300 hover:bg-slate-50">
          Download
        </button>
      </div>
      {error && <p className="mb-2 text-sm text-red-600">{error}</p>}
      <div ref={box} data-testid="logs" className="h-96 overflow-auto rounded-md bg-slate-950 p-3 font-mono text-xs leading-5 text-slate-100">
        {shown.length === 0 ? (
          <span className="text-slate-500">{query ? "No lines match." : "No log lines."}</span>
        ) : (
          shown.map((l, i) => (
            <div key={i} className={l.stream === "stderr" ? "text-rose-300" : undefined}>
              {showTs && l.ts && <span className="mr-2 text-slate-500">{l.ts.slice(0, 23)}</span>}
              {l.text}
            </div>
          ))
        )}
      </div>
    </div>
  );
}
