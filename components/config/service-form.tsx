// The fields of an image service, for adding one or editing one (then prefilled, without the name). The
// proxy fields are optional: with a port there, the service gets a URL and a health-gated switch.
import { Field, Select, TextAreaField } from "@/components/ui/field";
import { HostSelect } from "@/components/hosts/host-select";
import type { HostChoices } from "@/lib/data/hosts";
import { RESTART_POLICIES } from "@/lib/hosts/service-spec";

type Port = { container: number; host: number | null; protocol: string };
type Volume = { source: string; target: string; readOnly: boolean };
export type ServiceValues = {
  image: string;
  command: unknown;
  ports: unknown;
  volumes: unknown;
  restartPolicy: string;
  hostId: string | null;
  httpPort: number | null;
  healthPath: string | null;
  healthTimeoutSec: number;
  domains: unknown;
  keepReleases: number;
};

export function ServiceFields({ hosts, team, service }: { hosts: HostChoices; team: string; service?: ServiceValues }) {
  const lines = <T,>(xs: unknown, f: (x: T) => string) => (Array.isArray(xs) ? (xs as T[]).map(f).join("\n") : "");
  return (
    <>
      <div className="grid gap-4 sm:grid-cols-2">
        {!service && <Field label="Name" name="name" placeholder="api" />}
        <Field label="Image" name="image" placeholder="nginx:1.27" defaultValue={service?.image} />
        <HostSelect choices={hosts} team={team} value={service?.hostId} />
        <Select label="Restart policy" name="restartPolicy" defaultValue={service?.restartPolicy ?? "unless-stopped"}>
          {RESTART_POLICIES.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </Select>
      </div>
      <TextAreaField
        label="Command (one argument per line; empty: the image's default)"
        name="command"
        placeholder={"node\nserver.js"}
        defaultValue={lines(service?.command, (a: string) => a)}
      />
      <div className="grid gap-4 sm:grid-cols-2">
        <TextAreaField
          label="Ports (one per line: 8080:80/tcp, or 80 to expose only)"
          name="ports"
          defaultValue={lines(service?.ports, (p: Port) => `${p.host ? `${p.host}:` : ""}${p.container}/${p.protocol}`)}
        />
        <TextAreaField
          label="Named volumes (one per line: data:/var/lib/data[:ro])"
          name="volumes"
          defaultValue={lines(service?.volumes, (v: Volume) => `${v.source}:${v.target}${v.readOnly ? ":ro" : ""}`)}
        />
      </div>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field
          label="HTTP port behind the proxy"
          name="httpPort"
          inputMode="numeric"
          placeholder="(none)"
          defaultValue={service?.httpPort ?? undefined}
          hint="The port it serves HTTP on inside its container: it gets a URL, and a new release takes over only once healthy."
        />
        <Field
          label="Health check path"
          name="healthPath"
          placeholder="/healthz"
          defaultValue={service?.healthPath ?? undefined}
          hint="Must answer 2xx/3xx. Empty: the port accepting connections."
        />
        <Field label="Health check timeout (s)" name="healthTimeoutSec" inputMode="numeric" defaultValue={service?.healthTimeoutSec ?? 60} />
        <Field
          label="Custom domains"
          name="domains"
          placeholder="app.example.com"
          defaultValue={Array.isArray(service?.domains) ? (service.domains as string[]).join(" ") : undefined}
          hint="Space-separated; with a port behind the proxy."
        />
        <Field label="Releases kept for rollback" name="keepReleases" inputMode="numeric" defaultValue={service?.keepReleases ?? 10} />
      </div>
      <p className="text-xs text-slate-500">
        A new release starts beside the running one and takes over once healthy. A service that publishes a host port (8080:80) or mounts a writable volume is
        recreated instead: the old container stops first, and starts again if the new one fails.
      </p>
    </>
  );
}
