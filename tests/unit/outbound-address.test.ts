// The outbound address policy: which addresses user-steered requests may reach, in every spelling an
// address can take, after name resolution (every address must pass), and how the checked addresses are pinned.
import { describe, expect, it } from "vitest";
import { ValidationError } from "@/lib/errors";
import { canonicalIP, classifyIP, formatIPv6, parseIPv4, parseIPv6, parseLooseIPv4 } from "@/lib/net/address";
import { assertImageAllowed, assertRepoUrlAllowed } from "@/lib/net/field-checks";
import { checkOutboundHost, type Lookup } from "@/lib/net/outbound";
import { curlResolve, sshPinOptions } from "@/lib/net/pin";
import { imageRegistry, repoTarget } from "@/lib/net/targets";

const STRICT = { allowPrivateNetworks: false };
const ALLOWED = { allowPrivateNetworks: true };
const verdict = (ip: string) => classifyIP(ip)?.verdict;

describe("IPv4 spellings", () => {
  it("parses strict dotted quads only", () => {
    expect(parseIPv4("127.0.0.1")).toBe(0x7f000001);
    expect(parseIPv4("255.255.255.255")).toBe(0xffffffff);
    for (const bad of ["127.1", "256.0.0.1", "01.2.3.4", "1.2.3", "1.2.3.4.5", " 1.2.3.4", "1.2.3.4 ", "0x7f.0.0.1"]) expect(parseIPv4(bad)).toBeNull();
  });

  it.each([
    ["127.0.0.1", true],
    ["127.1", false],
    ["127.0.1", false],
    ["2130706433", false],
    ["0x7f000001", false],
    ["0X7F000001", false],
    ["0x7f.1", false],
    ["0177.0.0.1", false],
    ["0177.1", false],
    ["017700000001", false],
    ["127.0.0.1.", false],
    ["0x7f.0x0.0x0.0x1", false],
  ])("reads %s as 127.0.0.1 (canonical: %s)", (host, canonical) => {
    expect(parseLooseIPv4(host)).toEqual({ address: 0x7f000001, canonical });
  });

  it("reads 0 and 0x as zero, and refuses what is numeric but no address", () => {
    expect(parseLooseIPv4("0")).toEqual({ address: 0, canonical: false });
    expect(parseLooseIPv4("0x")).toEqual({ address: 0, canonical: false });
    for (const bad of ["256.0.0.1", "1.2.3.256", "1.2.65536", "4294967296", "0x100000000", "08.1.1.1", "1.2.3.4.5", "x.1", "1..1", "99999999999999999999"]) {
      expect(parseLooseIPv4(bad)).toEqual({ invalid: true });
    }
  });

  it("leaves ordinary names alone", () => {
    for (const name of ["example.com", "git.example.com", "1.2.3.x", "localhost", "1e100.net", "0x7f.example"]) expect(parseLooseIPv4(name)).toBeNull();
  });
});

describe("IPv6 spellings", () => {
  it.each([
    ["::1", [0, 0, 0, 0, 0, 0, 0, 1]],
    ["::", [0, 0, 0, 0, 0, 0, 0, 0]],
    ["1::", [1, 0, 0, 0, 0, 0, 0, 0]],
    ["0:0:0:0:0:ffff:7f00:1", [0, 0, 0, 0, 0, 0xffff, 0x7f00, 1]],
    ["::ffff:127.0.0.1", [0, 0, 0, 0, 0, 0xffff, 0x7f00, 1]],
    ["::127.0.0.1", [0, 0, 0, 0, 0, 0, 0x7f00, 1]],
    ["1:2:3:4:5:6:1.2.3.4", [1, 2, 3, 4, 5, 6, 0x0102, 0x0304]],
    ["FE80::1%eth0", [0xfe80, 0, 0, 0, 0, 0, 0, 1]],
    ["2001:DB8:0:0:1:0:0:1", [0x2001, 0xdb8, 0, 0, 1, 0, 0, 1]],
  ])("parses %s", (text, words) => {
    expect(parseIPv6(text)).toEqual(words);
  });

  it("refuses malformed addresses", () => {
    for (const bad of [
      ":::",
      "1::2::3",
      "1:2:3:4:5:6:7:8:9",
      "1:2:3:4:5:6:7",
      "12345::",
      "::g",
      ":1::",
      "1::2:",
      "::1.2.3",
      "::256.1.1.1",
      "1.2.3.4",
      "1:2:3:4:5:6:7:1.2.3.4",
      "1:2:3:4:5:6:7:8::",
    ]) {
      expect(parseIPv6(bad), bad).toBeNull();
    }
  });

  it("writes the RFC 5952 form", () => {
    expect(formatIPv6(parseIPv6("2001:0db8:0000:0000:0001:0000:0000:0001")!)).toBe("2001:db8::1:0:0:1");
    expect(canonicalIP("::FFFF:127.0.0.1")).toBe("::ffff:7f00:1");
    expect(canonicalIP("0:0:0:0:0:0:0:1")).toBe("::1");
    expect(canonicalIP("1:0:0:1:0:0:0:1")).toBe("1:0:0:1::1");
    expect(canonicalIP("example.com")).toBeNull();
  });
});

describe("classification", () => {
  it.each([
    // IPv4: range edges on both sides.
    ["8.8.8.8", "public"],
    ["1.1.1.1", "public"],
    ["9.255.255.255", "public"],
    ["10.0.0.0", "private"],
    ["10.255.255.255", "private"],
    ["11.0.0.0", "public"],
    ["127.0.0.1", "private"],
    ["127.255.255.254", "private"],
    ["172.15.255.255", "public"],
    ["172.16.0.0", "private"],
    ["172.31.255.255", "private"],
    ["172.32.0.0", "public"],
    ["192.167.255.255", "public"],
    ["192.168.1.1", "private"],
    ["192.169.0.0", "public"],
    ["100.63.255.255", "public"],
    ["100.64.0.0", "private"],
    ["100.127.255.255", "private"],
    ["100.128.0.0", "public"],
    ["100.100.100.200", "forbidden"],
    ["169.254.169.254", "forbidden"],
    ["169.254.170.2", "forbidden"],
    ["169.254.0.1", "forbidden"],
    ["192.0.0.192", "forbidden"],
    ["0.0.0.0", "forbidden"],
    ["0.1.2.3", "forbidden"],
    ["192.0.2.1", "forbidden"],
    ["198.18.0.1", "forbidden"],
    ["198.51.100.7", "forbidden"],
    ["203.0.113.9", "forbidden"],
    ["224.0.0.1", "forbidden"],
    ["239.255.255.255", "forbidden"],
    ["240.0.0.1", "forbidden"],
    ["255.255.255.255", "forbidden"],
    // IPv6, and IPv4 carried inside IPv6.
    ["::1", "private"],
    ["::", "forbidden"],
    ["::ffff:127.0.0.1", "private"],
    ["::ffff:7f00:1", "private"],
    ["::ffff:10.1.2.3", "private"],
    ["::ffff:169.254.169.254", "forbidden"],
    ["::ffff:8.8.8.8", "public"],
    ["::127.0.0.1", "private"],
    ["::a9fe:a9fe", "forbidden"],
    ["::ffff:0:127.0.0.1", "private"],
    ["64:ff9b::7f00:1", "private"],
    ["64:ff9b::a9fe:a9fe", "forbidden"],
    ["64:ff9b::808:808", "public"],
    ["64:ff9b:1::1", "private"],
    ["2002:7f00:1::1", "private"],
    ["2002:a9fe:a9fe::1", "forbidden"],
    ["2002:808:808::1", "public"],
    ["fc00::1", "private"],
    ["fd12:3456:789a::1", "private"],
    ["fd00:ec2::254", "forbidden"],
    ["fe80::1", "forbidden"],
    ["fe80::1%eth0", "forbidden"],
    ["febf::1", "forbidden"],
    ["fec0::1", "private"],
    ["ff02::1", "forbidden"],
    ["2001:db8::1", "forbidden"],
    ["2001::1", "forbidden"],
    ["2001:1ff::1", "forbidden"],
    ["3fff::1", "forbidden"],
    ["100::1", "forbidden"],
    ["4000::1", "forbidden"],
    ["2001:200::1", "public"],
    ["2001:4860:4860::8888", "public"],
    ["2606:4700:4700::1111", "public"],
  ])("%s is %s", (ip, expected) => {
    expect(verdict(ip)).toBe(expected);
  });

  it("names the range, and the IPv4 address inside an IPv6 one", () => {
    expect(classifyIP("::ffff:127.0.0.1")).toEqual({ verdict: "private", range: "a loopback address (IPv4-mapped 127.0.0.1)" });
    expect(classifyIP("64:ff9b::a9fe:a9fe")?.range).toBe("a link-local address (the cloud metadata service) (NAT64 169.254.169.254)");
    expect(classifyIP("not an address")).toBeNull();
  });
});

describe("checking a host", () => {
  const dns = (table: Record<string, string[]>): Lookup & { asked: string[] } => {
    const asked: string[] = [];
    const fn = (async (host: string) => {
      asked.push(host);
      const found = table[host];
      if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" });
      return found;
    }) as Lookup & { asked: string[] };
    fn.asked = asked;
    return fn;
  };

  it("refuses private addresses unless allowed, and forbidden ones always", async () => {
    const lookup = dns({});
    expect(await checkOutboundHost("127.0.0.1", STRICT, { lookup })).toEqual({
      ok: false,
      reason: "refused",
      error: "127.0.0.1 is a loopback address: this host does not reach private networks (an admin can allow private networks in the host's settings)",
    });
    expect(await checkOutboundHost("127.0.0.1", ALLOWED, { lookup })).toEqual({ ok: true, host: "127.0.0.1", addresses: ["127.0.0.1"] });
    expect(await checkOutboundHost("10.1.2.3", ALLOWED, { lookup })).toMatchObject({ ok: true });
    for (const ip of ["169.254.169.254", "100.100.100.200", "0.0.0.0", "224.0.0.1"]) {
      expect(await checkOutboundHost(ip, ALLOWED, { lookup }), ip).toMatchObject({
        ok: false,
        reason: "refused",
        error: expect.stringContaining("Berth never connects to"),
      });
    }
    expect(await checkOutboundHost("8.8.8.8", STRICT, { lookup })).toEqual({ ok: true, host: "8.8.8.8", addresses: ["8.8.8.8"] });
    expect(lookup.asked).toEqual([]); // addresses are not looked up
  });

  it("refuses other spellings of an address, whatever it is", async () => {
    for (const host of ["2130706433", "0x7f000001", "0x7f.1", "0177.0.0.1", "127.1", "0x08080808"]) {
      expect(await checkOutboundHost(host, ALLOWED), host).toMatchObject({
        ok: false,
        reason: "refused",
        error: expect.stringMatching(/^write the address .* as \d+\.\d+\.\d+\.\d+$/),
      });
    }
    expect(await checkOutboundHost("2130706433", STRICT)).toMatchObject({ error: "write the address 2130706433 as 127.0.0.1" });
    expect(await checkOutboundHost("1.2.3.256", ALLOWED)).toMatchObject({ ok: false, error: "1.2.3.256 is not a valid IPv4 address" });
  });

  it("requires every address a name resolves to to pass, IPv4-mapped forms included", async () => {
    const lookup = dns({
      "git.example.com": ["140.82.112.3", "2606:50c0:8000::153"],
      "mixed.example.com": ["140.82.112.3", "10.0.0.5"],
      "mapped.example.com": ["::ffff:127.0.0.1"],
      "meta.example.com": ["169.254.169.254"],
      "odd.example.com": ["not-an-address"],
      "empty.example.com": [],
    });
    expect(await checkOutboundHost("GIT.example.com", STRICT, { lookup })).toEqual({
      ok: true,
      host: "git.example.com",
      addresses: ["140.82.112.3", "2606:50c0:8000::153"],
    });
    expect(await checkOutboundHost("mixed.example.com", STRICT, { lookup })).toEqual({
      ok: false,
      reason: "refused",
      error:
        "mixed.example.com resolves to 10.0.0.5, a private address (RFC 1918): this host does not reach private networks (an admin can allow private networks in the host's settings)",
    });
    expect(await checkOutboundHost("mixed.example.com", ALLOWED, { lookup })).toMatchObject({ ok: true, addresses: ["140.82.112.3", "10.0.0.5"] });
    expect(await checkOutboundHost("mapped.example.com", STRICT, { lookup })).toMatchObject({
      ok: false,
      error: expect.stringContaining("resolves to ::ffff:7f00:1, a loopback address (IPv4-mapped 127.0.0.1)"),
    });
    expect(await checkOutboundHost("meta.example.com", ALLOWED, { lookup })).toMatchObject({
      ok: false,
      error: expect.stringContaining("which Berth never connects to"),
    });
    expect(await checkOutboundHost("odd.example.com", ALLOWED, { lookup })).toMatchObject({ ok: false, reason: "refused" });
    expect(await checkOutboundHost("empty.example.com", STRICT, { lookup })).toMatchObject({ ok: false, reason: "unresolved" });
    expect(await checkOutboundHost("nowhere.example.com", STRICT, { lookup })).toEqual({
      ok: false,
      reason: "unresolved",
      error: "nowhere.example.com does not resolve (ENOTFOUND)",
    });
  });

  it("gives up on a lookup that never answers", async () => {
    const never: Lookup = () => new Promise(() => {});
    expect(await checkOutboundHost("slow.example.com", STRICT, { lookup: never, timeoutMs: 20 })).toMatchObject({
      ok: false,
      reason: "unresolved",
      error: expect.stringContaining("ETIMEOUT"),
    });
  });

  it("treats localhost names as the loopback without asking DNS", async () => {
    const lookup = dns({ localhost: ["8.8.8.8"] });
    for (const host of ["localhost", "LOCALHOST", "app.localhost"]) {
      expect(await checkOutboundHost(host, STRICT, { lookup })).toMatchObject({
        ok: false,
        reason: "refused",
        error: expect.stringContaining("is a loopback name"),
      });
      expect(await checkOutboundHost(host, ALLOWED, { lookup })).toMatchObject({ ok: true, addresses: ["127.0.0.1"] });
    }
    expect(lookup.asked).toEqual([]);
  });

  it("the system resolver answers localhost and addresses as the policy expects", async () => {
    expect(await checkOutboundHost("localhost", STRICT)).toMatchObject({ ok: false, reason: "refused" });
    expect(await checkOutboundHost("127.0.0.1", STRICT)).toMatchObject({ ok: false, reason: "refused" });
  });
});

describe("field errors for the API", () => {
  const lookup: Lookup = async (host) =>
    host === "internal.example.com" ? ["192.168.1.10"] : Promise.reject(Object.assign(new Error("nope"), { code: "ENOTFOUND" }));

  it("names the field, and leaves names that do not resolve here to the agent", async () => {
    const e = await assertRepoUrlAllowed("https://internal.example.com/team/app.git", STRICT, { lookup }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ValidationError);
    expect((e as ValidationError).fields).toEqual({
      gitUrl: [expect.stringMatching(/^Refused repository URL: internal\.example\.com resolves to 192\.168\.1\.10, a private address/)],
    });
    await expect(assertRepoUrlAllowed("https://internal.example.com/team/app.git", ALLOWED, { lookup })).resolves.toBeUndefined();
    await expect(assertRepoUrlAllowed("https://unknown.example.com/app.git", STRICT, { lookup })).resolves.toBeUndefined();
    await expect(assertRepoUrlAllowed("file:///srv/repo.git", STRICT, { lookup })).resolves.toBeUndefined();
    await expect(assertRepoUrlAllowed("ssh://git@169.254.169.254/app.git", ALLOWED, { lookup })).rejects.toThrow(/never connects to/);

    const img = await assertImageAllowed("127.0.0.1:5000/team/app:1", STRICT, { lookup }).catch((x: unknown) => x);
    expect((img as ValidationError).fields).toEqual({ image: [expect.stringMatching(/^Refused registry: 127\.0\.0\.1 is a loopback address/)] });
    await expect(assertImageAllowed("localhost/app", STRICT, { lookup })).rejects.toThrow(/loopback name/);
    await expect(assertImageAllowed("2130706433:5000/app", ALLOWED, { lookup })).rejects.toThrow(/write the address 2130706433 as 127\.0\.0\.1/);
    await expect(assertImageAllowed("nginx:1.27", STRICT, { lookup })).resolves.toBeUndefined();
    await expect(assertImageAllowed("team/app:2", STRICT, { lookup })).resolves.toBeUndefined();
  });
});

describe("targets and pins", () => {
  it("finds the host and port a repository URL or an image names", () => {
    expect(repoTarget("https://git.example.com/a/b.git")).toEqual({ protocol: "https", host: "git.example.com", port: 443 });
    expect(repoTarget("https://git.example.com:8443/a/b.git")).toEqual({ protocol: "https", host: "git.example.com", port: 8443 });
    expect(repoTarget("ssh://git@github.com/org/repo.git")).toEqual({ protocol: "ssh", host: "github.com", port: 22 });
    expect(repoTarget("ssh://git@10.0.0.1:2222/org/repo.git")).toEqual({ protocol: "ssh", host: "10.0.0.1", port: 2222 });
    expect(repoTarget("git://localhost/repo")).toEqual({ protocol: "git", host: "localhost", port: 9418 });
    expect(repoTarget("file:///srv/repo.git")).toBeNull();

    expect(imageRegistry("nginx")).toBeNull();
    expect(imageRegistry("nginx:1.27")).toBeNull();
    expect(imageRegistry("library/nginx:1.27")).toBeNull();
    expect(imageRegistry("team/app/web:2")).toBeNull();
    expect(imageRegistry("localhost/app")).toEqual({ host: "localhost", port: null });
    expect(imageRegistry("localhost:5000/app")).toEqual({ host: "localhost", port: 5000 });
    expect(imageRegistry("registry.example.com/team/app:2")).toEqual({ host: "registry.example.com", port: null });
    expect(imageRegistry(`127.0.0.1:5000/app@sha256:${"a".repeat(64)}`)).toEqual({ host: "127.0.0.1", port: 5000 });
    expect(imageRegistry("docker.io/library/nginx")).toEqual({ host: "docker.io", port: null });
  });

  it("pins checked addresses for curl and ssh, and nothing else", () => {
    expect(curlResolve("git.example.com", 443, ["140.82.112.3", "2606:50c0:8000::153"])).toBe("git.example.com:443:140.82.112.3,[2606:50c0:8000::153]");
    expect(sshPinOptions("github.com", "140.82.112.3")).toEqual(["-o", "HostName=140.82.112.3", "-o", "HostKeyAlias=github.com"]);
    expect(() => curlResolve("git.example.com", 443, [])).toThrow(/no address/);
    expect(() => curlResolve("git.example.com", 443, ["127.1"])).toThrow(/not a canonical IP/);
    expect(() => curlResolve("git.example.com", 443, ["::FFFF:127.0.0.1"])).toThrow(/not a canonical IP/);
    expect(() => sshPinOptions("a b", "1.2.3.4")).toThrow(/not a host name/);
    expect(() => sshPinOptions("x;touch /tmp/p", "1.2.3.4")).toThrow(/not a host name/);
    expect(() => sshPinOptions("github.com", "1.2.3.4 -oProxyCommand=x")).toThrow(/not a canonical IP/);
  });
});
