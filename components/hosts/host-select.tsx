// Which of the team's hosts a service runs on (the service forms' shared field): a list of them, or past the
// number a form lists (lib/data/hosts.ts `hostChoices`), a search.
import { HostPicker } from "@/components/hosts/host-picker";
import { Select } from "@/components/ui/field";
import type { HostChoices } from "@/lib/data/hosts";

export function HostSelect({ choices, team, value, id }: { choices: HostChoices; team: string; value: string | null | undefined; id?: string }) {
  const { hosts } = choices;
  if (choices.total > hosts.length) return <HostPicker team={team} initial={hosts.find((h) => h.id === value) ?? hosts[0] ?? null} />;
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
