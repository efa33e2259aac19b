"use client";
// The deployment's log, streamed: follows new lines while it runs (sticking to the bottom unless the reader
// scrolled up), resumes after a dropped connection from the last line it has (EventSource sends
// Last-Event-ID), and after a reload simply reads it again from the start. Terminal colours show as colours
// (ansi-text.tsx), each line read once as it arrives.
import { Fragment, useEffect, useRef, useState } from "react";
import { AnsiLine, ansiParts, type AnsiPart } from "./ansi-text";

export function DeployLog({ url }: { url: string }) {
  const [lines, setLines] = useState<AnsiPart[][]>([]);
  const [state, setState] = useState<"connecting" | "streaming" | "ended" | "error">("connecting");
  const box = useRef<HTMLPreElement>(null);
  const stick = useRef(true);

  useEffect(() => {
    const es = new EventSource(url);
    es.onopen = () => setState((s) => (s === "ended" ? s : "streaming"));
    es.onmessage = (e) => {
      const parts = ansiParts(String(JSON.parse(e.data)));
      setLines((ls) => [...ls, parts]);
    };
    es.addEventListener("end", () => {
      setState("ended");
      es.close();
    });
    es.onerror = () => setState((s) => (s === "ended" ? s : "connecting"));
    return () => es.close();
  }, [url]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when a line arrives, to follow the log
  useEffect(() => {
    if (stick.current && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [lines]);

  return (
    <div>
      <div className="mb-1 flex items-center justify-between text-xs text-slate-500">
        <span>Build and start log{lines.length ? ` · ${lines.length} lines` : ""}</span>
        <span data-testid="log-state" data-state={state}>
          {state === "streaming" ? "following…" : state === "ended" ? "complete" : state === "connecting" ? "connecting…" : ""}
        </span>
      </div>
      <pre
        ref={box}
        data-testid="deploy-log"
        onScroll={(e) => {
          const el = e.currentTarget;
          stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
        }}
        className="h-96 overflow-auto whitespace-pre-wrap break-all rounded-lg bg-slate-900 p-4 font-mono text-xs leading-relaxed text-slate-100"
      >
        {lines.length === 0 ? (
          <span className="text-slate-500">{state === "ended" ? "No output." : "Waiting for output…"}</span>
        ) : (
          lines.map((parts, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: lines are only ever appended
            <Fragment key={i}>
              {i > 0 && "\n"}
              <AnsiLine parts={parts} />
            </Fragment>
          ))
        )}
      </pre>
    </div>
  );
}
