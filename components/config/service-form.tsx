// The fields of a service, for adding one or editing one (then prefilled, without the name).
import { Field, Select, TextAreaField } from "@/components/ui/field";
import { HostSelect } from "@/components/hosts/host-select";
import { RESTART_POLICIES } from "@/lib/hosts/service-spec";

type Port = { container: number; host: number | null; protocol: string };
type Volume = { source: string; target: string; readOnly: boolean };
export type ServiceValues = { image: string; command: unknown; ports: unknown; volumes: unknown; restartPolicy: string; hostId: string | null };

export function ServiceFields({ hosts, service }: { hosts: { id: string; name: string }[]; service?: ServiceValues }) {
  const lines = <T,>(xs: unknown, f: (x: T) => string) => (Array.isArray(xs) ? (xs as T[]).map(f).join("\n") : "");
  return (
    <>
      <div className="grid gap-4 sm:grid-cols-2">
        {!service && <Field label="Name" name="name" placeholder="api" />}
        <Field label="Image" name="image" placeholder="nginx:1.27" defaultValue={service?.image} />
        <HostSelect hosts={hosts} value={service?.hostId} />
        <Select label="Restart policy" name="restartPolicy" defaultValue={service?.restartPolicy ?? "unless-stopped"}>
          {RESTART_POLICIES.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </Select>
      </div>
      <TextAreaField label="Command (one argument per line; empty: the image's default)" name="command" placeholder={"node\nserver.js"} defaultValue={lines(service?.command, (a: string) => a)} />
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
    </>
  );
}
