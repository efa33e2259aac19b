// Which network an IP address belongs to, for outbound requests that users steer (clones, image pulls).
// Pure: parsing and classification only; lib/net/outbound.ts resolves names and applies the policy.
//
// Three verdicts: "public" (anyone may reach it), "private" (loopback, RFC 1918, CGNAT, unique-local: only
// where an admin allowed private networks for the host) and "forbidden" (link-local, cloud metadata,
// unspecified, multicast, broadcast, documentation and other reserved ranges: never). IPv6 forms that carry
// an IPv4 address (mapped, compatible, translated, NAT64, 6to4) are judged by that address, and IPv4 as
// inet_aton reads it (`127.1`, `2130706433`, `0x7f.1`, `0177.0.0.1`) is recognised as the address it is.

export type Verdict = "public" | "private" | "forbidden";
export type AddressClass = { verdict: Verdict; range: string };

type V4Range = { base: number; bits: number; verdict: Exclude<Verdict, "public">; range: string };

const v4 = (text: string, bits: number, verdict: V4Range["verdict"], range: string): V4Range => ({ base: parseIPv4(text)!, bits, verdict, range });

// Most specific first: the first match wins.
const V4_RANGES: V4Range[] = [
  // Cloud metadata services outside 169.254/16 (Alibaba Cloud; Oracle Cloud's legacy address).
  v4("100.100.100.200", 32, "forbidden", "a cloud metadata address"),
  v4("192.0.0.192", 32, "forbidden", "a cloud metadata address"),
  v4("169.254.169.254", 32, "forbidden", "a link-local address (the cloud metadata service)"),
  v4("169.254.170.2", 32, "forbidden", "a link-local address (the container metadata service)"),
  v4("0.0.0.0", 8, "forbidden", "an unspecified address (0.0.0.0/8)"),
  v4("127.0.0.0", 8, "private", "a loopback address"),
  v4("10.0.0.0", 8, "private", "a private address (RFC 1918)"),
  v4("172.16.0.0", 12, "private", "a private address (RFC 1918)"),
  v4("192.168.0.0", 16, "private", "a private address (RFC 1918)"),
  v4("100.64.0.0", 10, "private", "a shared address (CGNAT, 100.64.0.0/10)"),
  v4("169.254.0.0", 16, "forbidden", "a link-local address"),
  v4("192.0.0.0", 24, "forbidden", "a reserved address (IETF protocol assignments)"),
  v4("192.0.2.0", 24, "forbidden", "a documentation address"),
  v4("198.51.100.0", 24, "forbidden", "a documentation address"),
  v4("203.0.113.0", 24, "forbidden", "a documentation address"),
  v4("192.88.99.0", 24, "forbidden", "a reserved address (6to4 relay)"),
  v4("198.18.0.0", 15, "forbidden", "a reserved address (benchmarking)"),
  v4("224.0.0.0", 4, "forbidden", "a multicast address"),
  v4("240.0.0.0", 4, "forbidden", "a reserved address (240.0.0.0/4, broadcast)"),
];

/** Strict dotted-quad IPv4 (`a.b.c.d`, decimal, no leading zeros) as a 32-bit number, or null. */
export function parseIPv4(text: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return null;
  let n = 0;
  for (const part of m.slice(1)) {
    if (part.length > 1 && part.startsWith("0")) return null;
    const b = Number(part);
    if (b > 255) return null;
    n = n * 256 + b;
  }
  return n;
}

export function formatIPv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

/**
 * A host name read the way inet_aton (and so getaddrinfo, git and curl) and URL parsers read it: one to
 * four parts, each decimal, octal (leading 0) or hex (0x), the last filling the remaining bytes. Returns
 * `{ address }` for an IPv4 address in any spelling, `{ invalid }` for a name whose last label is numeric
 * but that is no valid address (URL parsers refuse those too), and null for an ordinary name.
 */
export function parseLooseIPv4(host: string): { address: number; canonical: boolean } | { invalid: true } | null {
  const labels = (host.endsWith(".") ? host.slice(0, -1) : host).split(".");
  const last = labels[labels.length - 1]!;
  if (!/^(?:0[xX][0-9a-fA-F]*|\d+)$/.test(last)) return null; // a name, e.g. example.com or 1.2.3.x
  if (labels.length > 4) return { invalid: true };
  const nums: number[] = [];
  for (const label of labels) {
    let n: number;
    if (/^0[xX][0-9a-fA-F]*$/.test(label)) n = label.length === 2 ? 0 : parseInt(label.slice(2), 16);
    else if (/^0[0-7]+$/.test(label)) n = parseInt(label.slice(1), 8);
    else if (/^(?:0|[1-9]\d*)$/.test(label)) n = Number(label);
    else return { invalid: true };
    if (!Number.isSafeInteger(n)) return { invalid: true };
    nums.push(n);
  }
  const lastNum = nums.pop()!;
  if (nums.some((n) => n > 255) || lastNum >= 256 ** (4 - nums.length)) return { invalid: true };
  let address = 0;
  for (const n of nums) address = address * 256 + n;
  address = address * 256 ** (4 - nums.length) + lastNum;
  return { address, canonical: formatIPv4(address) === host };
}

/** An IPv6 address (optionally with a trailing dotted IPv4 part, or a zone id) as eight 16-bit words, or null. */
export function parseIPv6(text: string): number[] | null {
  let s = text;
  const zone = s.indexOf("%");
  if (zone >= 0) s = s.slice(0, zone);
  if (!/^[0-9a-fA-F:.]+$/.test(s) || s.length > 45) return null;
  let tail: number[] = [];
  if (s.includes(".")) {
    const colon = s.lastIndexOf(":");
    const n = colon < 0 ? null : parseIPv4(s.slice(colon + 1));
    if (n === null) return null;
    tail = [n >>> 16, n & 0xffff];
    s = s.slice(0, colon + 1);
    if (!s.endsWith("::")) s = s.slice(0, -1);
  }
  const size = 8 - tail.length;
  const halves = s.split("::");
  if (halves.length > 2) return null;
  const words = (part: string) => (part === "" ? [] : part.split(":"));
  const head = words(halves[0]!);
  const rest = halves.length === 2 ? words(halves[1]!) : [];
  if ([...head, ...rest].some((w) => !/^[0-9a-fA-F]{1,4}$/.test(w))) return null;
  const given = head.length + rest.length;
  // Without "::" every word is written; "::" stands for at least one zero word.
  if (halves.length === 1 ? given !== size : given > size - 1) return null;
  const fill = halves.length === 2 ? new Array<number>(size - given).fill(0) : [];
  return [...head.map((w) => parseInt(w, 16)), ...fill, ...rest.map((w) => parseInt(w, 16)), ...tail];
}

/** RFC 5952 text of eight words (lowercase, longest zero run compressed). */
export function formatIPv6(w: number[]): string {
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (w[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  const hex = (a: number[]) => a.map((x) => x.toString(16)).join(":");
  return best < 0 ? hex(w) : `${hex(w.slice(0, best))}::${hex(w.slice(best + bestLen))}`;
}

function classifyV4(n: number): AddressClass {
  for (const r of V4_RANGES) {
    const mask = r.bits === 0 ? 0 : (~0 << (32 - r.bits)) >>> 0;
    if ((n & mask) >>> 0 === (r.base & mask) >>> 0) return { verdict: r.verdict, range: r.range };
  }
  return { verdict: "public", range: "a public address" };
}

const embedded = (w: number[], at: number) => ((w[at]! << 16) >>> 0) + w[at + 1]!;

function classifyV6(w: number[]): AddressClass {
  const zeros = (from: number, to: number) => w.slice(from, to).every((x) => x === 0);
  const via = (how: string, n: number): AddressClass => {
    const inner = classifyV4(n);
    return inner.verdict === "public" ? inner : { verdict: inner.verdict, range: `${inner.range} (${how} ${formatIPv4(n)})` };
  };
  if (zeros(0, 8)) return { verdict: "forbidden", range: "an unspecified address (::)" };
  if (zeros(0, 7) && w[7] === 1) return { verdict: "private", range: "a loopback address (::1)" };
  if (zeros(0, 5) && w[5] === 0xffff) return via("IPv4-mapped", embedded(w, 6));
  if (zeros(0, 4) && w[4] === 0xffff && w[5] === 0) return via("IPv4-translated", embedded(w, 6));
  if (zeros(0, 6)) return via("IPv4-compatible", embedded(w, 6));
  if (w[0] === 0x64 && w[1] === 0xff9b && zeros(2, 6)) return via("NAT64", embedded(w, 6));
  if (w[0] === 0x64 && w[1] === 0xff9b && w[2] === 1) return { verdict: "private", range: "a local-use NAT64 address (64:ff9b:1::/48)" };
  if (w[0] === 0x2002) return via("6to4", embedded(w, 1));
  if (w[0] === 0xfd00 && w[1] === 0x0ec2 && zeros(2, 7) && w[7] === 0x254) return { verdict: "forbidden", range: "a cloud metadata address" };
  if ((w[0]! & 0xfe00) === 0xfc00) return { verdict: "private", range: "a unique-local address (fc00::/7)" };
  if ((w[0]! & 0xffc0) === 0xfe80) return { verdict: "forbidden", range: "a link-local address (fe80::/10)" };
  if ((w[0]! & 0xffc0) === 0xfec0) return { verdict: "private", range: "a site-local address (fec0::/10)" };
  if ((w[0]! & 0xff00) === 0xff00) return { verdict: "forbidden", range: "a multicast address" };
  if (w[0] === 0x2001 && w[1] === 0x0db8) return { verdict: "forbidden", range: "a documentation address" };
  if (w[0] === 0x2001 && w[1]! < 0x200) return { verdict: "forbidden", range: "a reserved address (2001::/23: Teredo, ORCHID, …)" };
  if (w[0] === 0x3fff && w[1]! < 0x1000) return { verdict: "forbidden", range: "a documentation address" };
  if ((w[0]! & 0xe000) !== 0x2000) return { verdict: "forbidden", range: "a reserved address (outside 2000::/3)" };
  return { verdict: "public", range: "a public address" };
}

/** The class of an IP address in text (IPv4 dotted quad, or IPv6), or null when it is not one. */
export function classifyIP(text: string): AddressClass | null {
  const n = parseIPv4(text);
  if (n !== null) return classifyV4(n);
  const w = parseIPv6(text);
  return w ? classifyV6(w) : null;
}

/** An address in the text it is compared and pinned by: dotted quad or RFC 5952 IPv6, or null. */
export function canonicalIP(text: string): string | null {
  const n = parseIPv4(text);
  if (n !== null) return formatIPv4(n);
  const w = parseIPv6(text);
  return w ? formatIPv6(w) : null;
}
