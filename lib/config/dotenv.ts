// .env files in and out. Parsing follows the common dotenv conventions: `KEY=value`, an optional
// `export ` prefix, `#` comments, single quotes literal, double quotes with \n \t \" \\ escapes.
export type DotenvEntry = { key: string; value: string };
export type DotenvResult = { entries: DotenvEntry[]; errors: { line: number; message: string }[] };

const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function parseDotenv(text: string): DotenvResult {
  const entries = new Map<string, string>();
  const errors: DotenvResult["errors"] = [];
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!.trim();
    if (!line || line.startsWith("#")) continue;
    if (line.startsWith("export ")) line = line.slice(7).trim();
    const eq = line.indexOf("=");
    if (eq <= 0) {
      errors.push({ line: i + 1, message: `line ${i + 1}: expected KEY=value` });
      continue;
    }
    const key = line.slice(0, eq).trim();
    if (!KEY.test(key)) {
      errors.push({ line: i + 1, message: `line ${i + 1}: "${key}" is not a valid key` });
      continue;
    }
    let rest = line.slice(eq + 1).trim();
    let value: string;
    if (rest.startsWith('"') || rest.startsWith("'")) {
      const quote = rest[0]!;
      const start = i + 1;
      // A quoted value may span lines until its closing quote.
      let body = rest.slice(1);
      let close = findClose(body, quote);
      while (close < 0 && i + 1 < lines.length) {
        body += "\n" + lines[++i];
        close = findClose(body, quote);
      }
      if (close < 0) {
        errors.push({ line: start, message: `line ${start}: unterminated ${quote} quote for ${key}` });
        continue;
      }
      const raw = body.slice(0, close);
      value = quote === '"' ? raw.replace(/\\([nrt"\\])/g, (_, c: string) => ({ n: "\n", r: "\r", t: "\t", '"': '"', "\\": "\\" })[c]!) : raw;
    } else {
      const hash = rest.search(/\s#/);
      if (hash >= 0) rest = rest.slice(0, hash);
      value = rest.trim();
    }
    entries.set(key, value);
  }
  return { entries: [...entries].map(([key, value]) => ({ key, value })), errors };
}

function findClose(body: string, quote: string): number {
  for (let j = 0; j < body.length; j++) {
    if (quote === '"' && body[j] === "\\") {
      j++;
      continue;
    }
    if (body[j] === quote) return j;
  }
  return -1;
}

/** Serialises entries, quoting every value so that any content round-trips through parseDotenv. */
export function formatDotenv(entries: DotenvEntry[]): string {
  const quote = (v: string) => `"${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n").replace(/\r/g, "\\r").replace(/\t/g, "\\t")}"`;
  return entries.map((e) => `${e.key}=${quote(e.value)}`).join("\n") + (entries.length ? "\n" : "");
}
