// Build and container output with its terminal colours: `anser` reads the ANSI SGR codes (colours, bold,
// dim, italic, underline, strike-through, reverse) into styled pieces, which React renders as text, so
// nothing a build prints can become markup. Escapes anser leaves in the text (OSC hyperlinks, cursor
// movement) and other control characters are dropped.
import Anser from "anser";
import type { CSSProperties } from "react";

export type AnsiPart = { text: string; style?: CSSProperties };

const RGB = /^\d{1,3}, ?\d{1,3}, ?\d{1,3}$/;
// OSC sequences (ESC ] … BEL or ESC \), any other ESC sequence, then C0/C1 controls other than tab.
const LEFTOVER = /\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]|\x1b\[[0-?]*[ -/]*[@-~]|[\x00-\x08\x0a-\x1f\x7f-\x9f]/g;

const rgb = (value: string | null | undefined) => (value && RGB.test(value) ? `rgb(${value})` : undefined);

export function ansiParts(line: string): AnsiPart[] {
  const parts: AnsiPart[] = [];
  for (const e of Anser.ansiToJson(line, { json: true, remove_empty: true })) {
    const text = e.content.replace(LEFTOVER, "");
    if (!text) continue;
    const d = new Set(e.decorations ?? []);
    const style: CSSProperties = {};
    const color = rgb(e.fg);
    const background = rgb(e.bg);
    if (color) style.color = color;
    if (background) style.backgroundColor = background;
    if (d.has("bold")) style.fontWeight = 600;
    if (d.has("dim")) style.opacity = 0.7;
    if (d.has("italic")) style.fontStyle = "italic";
    const lines = [d.has("underline") && "underline", d.has("strikethrough") && "line-through"].filter(Boolean);
    if (lines.length) style.textDecoration = lines.join(" ");
    if (d.has("hidden")) style.visibility = "hidden";
    const last = parts.at(-1);
    // Neighbours with the same style become one piece: fewer elements for long logs.
    if (last && JSON.stringify(last.style ?? {}) === JSON.stringify(style)) last.text += text;
    else parts.push(Object.keys(style).length ? { text, style } : { text });
  }
  return parts;
}

export function AnsiLine({ parts }: { parts: AnsiPart[] }) {
  return (
    <>
      {parts.map((p, i) => {
        if (!p.style) return p.text;
        // biome-ignore lint/suspicious/noArrayIndexKey: the pieces of a line never move
        return (
          <span key={i} style={p.style}>
            {p.text}
          </span>
        );
      })}
    </>
  );
}
