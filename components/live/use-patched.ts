"use client";
// State that starts as the server's rows and follows the page's live stream: `reduce` patches it from a message
// (or asks for a server re-render); a re-render's new rows replace it, merged by `merge` when given (a patch may
// be newer than the render it raced).
import { useEffect, useRef, useState } from "react";
import type { LiveMessage } from "@/lib/live/channels";
import { useLive } from "./live-provider";
import type { News } from "./patch-hosts";

export function usePatched<T>(server: T, reduce: (current: T, msg: LiveMessage) => News<T>, merge?: (server: T, shown: T) => T): T {
  const [shown, setShown] = useState(server);
  const current = useRef(server);
  const mergeRef = useRef(merge);
  mergeRef.current = merge;
  useEffect(() => {
    const next = mergeRef.current ? mergeRef.current(server, current.current) : server;
    current.current = next;
    setShown(next);
  }, [server]);
  useLive((msg, refresh) => {
    const news = reduce(current.current, msg);
    if (news.refresh) refresh();
    if (news.rows !== current.current) {
      current.current = news.rows;
      setShown(news.rows);
    }
  });
  return shown;
}
