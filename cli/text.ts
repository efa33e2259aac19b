// Text from the server (log lines, names) is printed to a terminal: escape sequences in it could move the
// cursor, retitle the window or write the clipboard. Colours (SGR) are kept for a terminal, every other
// escape sequence and control character (but tab and newline) is removed.
// SGR first (captured), then CSI (ESC [ … final byte), OSC (ESC ] … BEL or ESC \), other escapes (ESC c, ESC ( B), lone controls.
const CONTROL = /(\x1b\[[0-9;]*m)|\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[ -/]*[0-~]?|[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

export function cleanLine(text: string, keepColor: boolean): string {
  return text.replace(CONTROL, (m, sgr: string | undefined) => (keepColor && sgr ? m : ""));
}
