// The fields of a git service, for adding one or editing one (then prefilled, without the name). The
// token field is write-only: left empty on edit, the stored token is kept. Ids are prefixed: the
// environment page also holds the image-service form, with fields of the same names.
import { HostSelect } from "@/components/hosts/host-select";
import { Field, Select } from "@/components/ui/field";
import type { HostChoices } from "@/lib/data/hosts";

export type GitServiceValues = {
  gitUrl: string | null;
  gitBranch: string | null;
  gitSubdir: string;
  dockerfile: string;
  httpPort: number | null;
  healthPath: string | null;
  healthTimeoutSec: number;
  domains: string[];
  gitAuth: string;
  keepReleases: number;
  hostId: string | null;
};

export function GitServiceFields({ hosts, team, service }: { hosts: HostChoices; team: string; service?: GitServiceValues }) {
  return (
    <div className="grid gap-4 sm:grid-cols-2">
      {!service && <Field id="git-name" label="Name" name="name" placeholder="web" hint="Lowercase letters, digits and dashes; part of its URL." />}
      <Field
        id="git-gitUrl"
        label="Repository URL"
        name="gitUrl"
        placeholder="https://github.com/acme/web.git"
        defaultValue={service?.gitUrl ?? undefined}
        hint="https:// or ssh (git@host:owner/repo.git)."
      />
      <Field id="git-gitBranch" label="Branch" name="gitBranch" placeholder="main" defaultValue={service?.gitBranch ?? "main"} />
      <Field
        id="git-gitSubdir"
        label="Sub-directory"
        name="gitSubdir"
        placeholder="(repository root)"
        defaultValue={service?.gitSubdir}
        hint="The build context, for monorepos."
      />
      <Field
        id="git-dockerfile"
        label="Dockerfile"
        name="dockerfile"
        placeholder="Dockerfile"
        defaultValue={service?.dockerfile ?? "Dockerfile"}
        hint="Relative to the build context."
      />
      <Field
        id="git-httpPort"
        label="Port"
        name="httpPort"
        inputMode="numeric"
        placeholder="3000"
        defaultValue={service?.httpPort ?? undefined}
        hint="The port the app listens on inside its container."
      />
      <Field
        id="git-healthPath"
        label="Health check path"
        name="healthPath"
        placeholder="/healthz"
        defaultValue={service?.healthPath ?? undefined}
        hint="Must answer 2xx/3xx before traffic moves. Empty: the port accepting connections."
      />
      <Field
        id="git-healthTimeoutSec"
        label="Health check timeout (s)"
        name="healthTimeoutSec"
        inputMode="numeric"
        defaultValue={service?.healthTimeoutSec ?? 60}
      />
      <Field
        id="git-domains"
        label="Custom domains"
        name="domains"
        placeholder="app.example.com"
        defaultValue={service?.domains.join(" ")}
        hint="Space-separated; point their DNS at the host."
      />
      <HostSelect id="git-hostId" choices={hosts} team={team} value={service?.hostId} />
      <Select id="git-gitAuth" label="Repository access" name="gitAuth" defaultValue={service?.gitAuth ?? "none"}>
        <option value="none">Public repository</option>
        <option value="ssh">Deploy key (Berth generates one; paste its public half into the git host)</option>
        <option value="token">Access token</option>
      </Select>
      <Field
        id="git-token"
        label="Access token"
        name="token"
        type="password"
        autoComplete="off"
        placeholder={service?.gitAuth === "token" ? "•••••• (kept unless you paste a new one)" : "only for token access"}
        hint="Stored encrypted; never shown again."
      />
      <Field id="git-keepReleases" label="Releases kept for rollback" name="keepReleases" inputMode="numeric" defaultValue={service?.keepReleases ?? 10} />
    </div>
  );
}
