// The team's API tokens as a table: what each may do, where, whose it is, when it was last used, and Revoke.
import { RelativeTime } from "@/components/time";
import { ActionForm, type FormAction } from "@/components/ui/action-form";
import { SubmitButton } from "@/components/ui/button";
import { Badge, EmptyState } from "@/components/ui/card";
import { DataTable } from "@/components/ui/data-table";

export type TokenRow = {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  status: "active" | "expired" | "revoked";
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  lastUsedIp: string | null;
  revokedAt: Date | null;
  createdAt: Date;
  user: { id: string; email: string; name: string };
  project: { name: string } | null;
  environment: { name: string } | null;
};

const STATUS = { active: "green", expired: "amber", revoked: "gray" } as const;

/** An expiry as a calendar date (UTC), the exact time on hover. */
function Expiry({ date, status }: { date: Date | null; status: TokenRow["status"] }) {
  if (!date) return <span className="text-slate-400">never expires</span>;
  return (
    <time dateTime={date.toISOString()} title={date.toUTCString()} className={status === "expired" ? "text-amber-700" : "text-slate-500"}>
      {date <= new Date() ? "expired" : "expires"} {date.toISOString().slice(0, 10)}
    </time>
  );
}

export function ApiTokenTable({
  tokens,
  team,
  you,
  showMaker,
  revoke,
}: {
  tokens: TokenRow[];
  team: string;
  you: string;
  showMaker: boolean;
  revoke: FormAction;
}) {
  if (tokens.length === 0) {
    return <EmptyState title="No API tokens yet">Tokens you create appear here, with when and from where each was last used.</EmptyState>;
  }
  const columns = [
    "Token",
    "Scopes",
    "Limited to",
    ...(showMaker ? ["Made by"] : []),
    "Created",
    "Last used",
    "Status",
    { label: "", align: "right" as const },
  ];
  return (
    <DataTable columns={columns} testId="api-tokens">
      {tokens.map((t) => (
        <tr key={t.id} data-testid={`token-${t.name}`} className={t.status === "active" ? "" : "bg-slate-50/60 text-slate-500"}>
          <td className="px-4 py-3">
            <p className="font-medium text-slate-900">{t.name}</p>
            <p className="font-mono text-xs text-slate-500">{t.prefix}…</p>
          </td>
          <td className="px-4 py-3">
            <span className="flex flex-wrap gap-1">
              {t.scopes.map((s) => (
                <Badge key={s} color={s === "admin" ? "purple" : s === "read" ? "gray" : "blue"}>
                  {s}
                </Badge>
              ))}
            </span>
          </td>
          <td className="whitespace-nowrap px-4 py-3 text-xs">
            {t.project ? (
              <>
                {t.project.name}
                {t.environment ? ` / ${t.environment.name}` : ""}
              </>
            ) : (
              <span className="text-slate-400">Whole team</span>
            )}
          </td>
          {showMaker && (
            <td className="px-4 py-3 text-xs" title={t.user.email}>
              {t.user.id === you ? "You" : t.user.email}
            </td>
          )}
          <td className="whitespace-nowrap px-4 py-3 text-xs">
            <RelativeTime date={t.createdAt} />
            <span className="block">
              <Expiry date={t.expiresAt} status={t.status} />
            </span>
          </td>
          <td className="whitespace-nowrap px-4 py-3 text-xs" data-testid="last-used">
            {t.lastUsedAt ? <RelativeTime date={t.lastUsedAt} /> : <span className="text-slate-400">Never used</span>}
            {t.lastUsedIp && <span className="block font-mono text-slate-400">from {t.lastUsedIp}</span>}
          </td>
          <td className="px-4 py-3">
            <Badge color={STATUS[t.status]}>{t.status}</Badge>
            {t.revokedAt && (
              <span className="mt-0.5 block whitespace-nowrap text-xs text-slate-400">
                <RelativeTime date={t.revokedAt} />
              </span>
            )}
          </td>
          <td className="px-4 py-3 text-right">
            {t.status === "active" && (
              <ActionForm
                action={revoke}
                confirm={`Revoke ${t.name}? Anything using it stops working at once.`}
                className="inline-flex flex-col items-end gap-1"
              >
                <input type="hidden" name="team" value={team} />
                <input type="hidden" name="tokenId" value={t.id} />
                <SubmitButton variant="ghostDanger" pendingLabel="Revoking…" aria-label={`Revoke ${t.name}`}>
                  Revoke
                </SubmitButton>
              </ActionForm>
            )}
          </td>
        </tr>
      ))}
    </DataTable>
  );
}
