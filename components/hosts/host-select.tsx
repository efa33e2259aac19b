// Which of the team's hosts a service runs on (the service forms' shared field).
import { Select } from "@/components/ui/field";

export function HostSelect({ hosts, value, id }: { hosts: { id: string; name: string }[]; value: string | null | undefined; id?: string }) {
  return (
    <Select id={id} label="Host" name="hostId" defaultValue={value ?? hosts[0]?.id ?? ""}>
      {hosts.length === 0 && <option value="">No hosts yet</option>}
      {hosts.map((h) => (
        <option key={h.id} value={h.id}>
          {h.name}
        </option>
      ))}
    </Select>
  );
}
