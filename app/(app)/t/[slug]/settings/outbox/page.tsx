import { Forbidden } from "@/components/forbidden";
import { RelativeTime } from "@/components/time";
import { Alert } from "@/components/ui/alert";
import { Badge, Card, EmptyState } from "@/components/ui/card";
import { requireTeam } from "@/lib/auth/session";
import { listOutbox } from "@/lib/data/outbox";
import { can } from "@/lib/permissions";

export const metadata = { title: "Email outbox" };

const STATUS = { QUEUED: ["amber", "Queued"], DELIVERED: ["green", "Delivered"], FAILED: ["red", "Failed"] } as const;

export default async function OutboxPage({ params }: { params: Promise<{ slug: string }> }) {
  const ctx = await requireTeam((await params).slug);
  if (!can(ctx.role, "outbox.read")) return <Forbidden what="Only admins and owners read the team's outgoing email." />;
  const emails = await listOutbox(ctx);
  return (
    <Card title="Email outbox" description="Berth has no mail server configured: emails it sends for this team are delivered here.">
      {emails.length === 0 ? (
        <EmptyState title="No emails yet">Invites you create send an email that shows up here.</EmptyState>
      ) : (
        <ul className="divide-y divide-slate-100" data-testid="outbox">
          {emails.map((m) => {
            const [color, label] = STATUS[m.status];
            return (
              <li key={m.id} className="py-3">
                <details>
                  <summary className="flex cursor-pointer list-none flex-wrap items-center justify-between gap-2">
                    <span className="min-w-0">
                      <span className="block truncate text-sm font-medium">{m.subject}</span>
                      <span className="text-xs text-slate-500">
                        to {m.to} · <RelativeTime date={m.createdAt} />
                      </span>
                    </span>
                    <Badge color={color}>{label}</Badge>
                  </summary>
                  <pre className="mt-3 whitespace-pre-wrap rounded-md bg-slate-50 p-3 font-mono text-xs text-slate-700">{m.body}</pre>
                  {m.error && (
                    <div className="mt-2">
                      <Alert tone="error">
                        Last delivery error (attempt {m.attempts}): {m.error}
                      </Alert>
                    </div>
                  )}
                </details>
              </li>
            );
          })}
        </ul>
      )}
    </Card>
  );
}
