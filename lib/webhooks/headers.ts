// Header lookup that works for a Fetch `Headers` (route handlers) and a plain object (tests, Node
// IncomingMessage-style records), always case-insensitively.
export type HeaderSource = Headers | Record<string, string | string[] | undefined>;

export function header(headers: HeaderSource, name: string): string | null {
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name);
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers as Record<string, string | string[] | undefined>)) {
    if (key.toLowerCase() !== wanted || value === undefined) continue;
    // A repeated header is ambiguous; join like Fetch does so that it can never match a signature.
    return Array.isArray(value) ? value.join(", ") : value;
  }
  return null;
}
