"use client";
// A shell in the container, in the browser: xterm.js drawing what the session's event stream sends, and
// keystrokes and resizes posted back. Opening one is recorded in the team's audit log.
import "@xterm/xterm/css/xterm.css";
import { useEffect, useRef, useState } from "react";

type Status = "idle" | "connecting" | "open" | "closed" | "error";

export function TerminalPanel({ slug, hostId, dockerId }: { slug: string; hostId: string; dockerId: string }) {
  const el = useRef<HTMLDivElement>(null);
  const [status, setStatus] = useState<Status>("idle");
  const [error, setError] = useState<string>();
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    if (attempt === 0 || !el.current) return;
    let disposed = false;
    let cleanup = () => {};
    (async () => {
      const [{ Terminal }, { FitAddon }] = await Promise.all([import("@xterm/xterm"), import("@xterm/addon-fit")]);
      const term = new Terminal({ fontSize: 13, cursorBlink: true, theme: { background: "#020617" } });
      const fit = new FitAddon();
      term.loadAddon(fit);
      term.open(el.current!);
      fit.fit();
      setStatus("connecting");
      const res = await fetch(`/api/v1/teams/${slug}/terminal`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ hostId, dockerId, cols: term.cols, rows: term.rows }),
      });
      const body = await res.json();
      if (!res.ok || disposed) {
        setStatus("error");
        setError(body.error?.message ?? "Could not open a terminal.");
        term.dispose();
        return;
      }
      const url = `/api/v1/teams/${slug}/terminal/${encodeURIComponent(body.sessionId)}`;
      // One request at a time, keystrokes typed meanwhile batched into the next: order is preserved.
      let chain: Promise<unknown> = Promise.resolve();
      let typed = "";
      const post = (msg: object) => fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(msg) });
      const send = (msg: { type: string; data?: string; cols?: number; rows?: number }) => {
        if (msg.type === "data") {
          const first = typed === "";
          typed += msg.data;
          if (!first) return chain;
          chain = chain.then(() => {
            const data = typed;
            typed = "";
            return post({ type: "data", data });
          });
        } else {
          chain = chain.then(() => post(msg));
        }
        return chain;
      };
      const es = new EventSource(url);
      const decoder = new TextDecoder();
      es.onopen = () => setStatus("open");
      es.onmessage = (e) =>
        term.write(
          decoder.decode(
            Uint8Array.from(atob(e.data), (ch) => ch.charCodeAt(0)),
            { stream: true },
          ),
        );
      es.addEventListener("end", () => {
        setStatus("closed");
        es.close();
      });
      const input = term.onData((data) => void send({ type: "data", data }));
      const onResize = () => {
        fit.fit();
        void send({ type: "resize", cols: term.cols, rows: term.rows });
      };
      window.addEventListener("resize", onResize);
      term.focus();
      cleanup = () => {
        window.removeEventListener("resize", onResize);
        input.dispose();
        es.close();
        void send({ type: "close" });
        term.dispose();
      };
    })().catch((e) => {
      setStatus("error");
      setError((e as Error).message);
    });
    return () => {
      disposed = true;
      cleanup();
    };
  }, [attempt, slug, hostId, dockerId]);

  return (
    <div>
      <div className="mb-2 flex items-center gap-3 text-sm">
        {status === "idle" || status === "closed" || status === "error" ? (
          <button type="button" onClick={() => setAttempt((a) => a + 1)} className="rounded-md bg-slate-900 px-3 py-1.5 text-white hover:bg-slate-700">
            {status === "idle" ? "Open terminal" : "Open a new terminal"}
          </button>
        ) : null}
        <span className="text-slate-500" data-testid="terminal-status">
          {{ idle: "", connecting: "Connecting…", open: "Connected (sh)", closed: "Session ended.", error: "" }[status]}
        </span>
        {error && <span className="text-red-600">{error}</span>}
      </div>
      <div ref={el} data-testid="terminal" className={`h-80 rounded-md bg-slate-950 p-2 ${status === "idle" ? "hidden" : ""}`} />
    </div>
  );
}
