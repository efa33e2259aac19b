// Pinning the addresses the outbound check approved, so the connection goes exactly there: a second DNS
// answer (rebinding) between the check and the connection cannot switch it to a refused address.
// Only characters that are inert in argv and in GIT_SSH_COMMAND's shell reach these strings.
import { canonicalIP } from "./address";

const HOST = /^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?$/;

function checkedAddress(address: string): string {
  const canonical = canonicalIP(address);
  if (!canonical || canonical !== address) throw new Error(`not a canonical IP address: ${JSON.stringify(address)}`);
  return address;
}

function checkedHost(host: string): string {
  if (!HOST.test(host)) throw new Error(`not a host name: ${JSON.stringify(host)}`);
  return host;
}

/** git's `http.curloptResolve` value (curl's CURLOPT_RESOLVE, git ≥ 2.37): HOST:PORT:ADDR[,ADDR…]. */
export function curlResolve(host: string, port: number, addresses: string[]): string {
  if (!addresses.length) throw new Error("no address to pin");
  const list = addresses.map(checkedAddress).map((a) => (a.includes(":") ? `[${a}]` : a));
  return `${checkedHost(host)}:${port}:${list.join(",")}`;
}

/** ssh options that connect to `address` while host keys stay filed under the name in the URL. */
export function sshPinOptions(host: string, address: string): string[] {
  return ["-o", `HostName=${checkedAddress(address)}`, "-o", `HostKeyAlias=${checkedHost(host)}`];
}
