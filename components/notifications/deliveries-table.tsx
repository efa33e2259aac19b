// Deliveries as a table: when, which channel and event, its status, attempts, the last answer or error, when
// it is tried next, a link to the page the message is about, and (admins) Resend once it has an outcome.
import { RelativeTime } from "@/components/time";
import { ActionForm, type FormAction } from "@/components/ui/action-form";
import { SubmitButton } from "@/components/ui/button";
import { Badge } from "@/components/ui/card";
import { DataTable } from "@/components/ui/data-table";
import { EVENT_LABELS, type MessageEvent } from "@/lib/notify/events";

export type DeliveryRow = {
  id: string;
  channel: { id: string; name: string; kind: string };
  event: string;
  title: string | null;
  url: string | null;
  status: "PENDING" | "DELIVERED" | "FAILED";
  attempts: number;
  nextAttemptAt: Date | null;
  responseStatus: number | null;
  responseBody: string | null;
  error: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
};

const STATUS = { PENDING: ["amber", "Pending"], DELIVERED: ["green", "Delivered"], FAILED: ["red", "Failed"] } as const;

export function DeliveriesTable({ deliveries, team, resend }: { deliveries: DeliveryRow[]; team: string; resend: FormAction | null }) {
  return (
    <DataTable columns={["When", "Channel", "Event", "Status", "Attempts", "Response", { label: "", align: "right" }]} testId="deliveries">
      {deliveries.map((d) => {
        const [color, label] = STATUS[d.status];
        return (
          <tr key={d.id} data-testid={`delivery-${d.id}`} className="align-top">
            <td className="whitespace-nowrap px-4 py-3 text-xs text-slate-500">
              <RelativeTime date={d.createdAt} />
            </td>
            <td className="px-4 py-3">
              <p className="whitespace-nowrap font-medium text-slate-900">{d.channel.name}</p>
              <p className="text-xs text-slate-500">{d.channel.kind}</p>
            </td>
            <td className="max-w-xs px-4 py-3">
              <p className="text-slate-800" data-testid="delivery-event">
                {EVENT_LABELS[d.event as MessageEvent] ?? d.event}
              </p>
              {d.title && <p className="text-xs text-slate-500">{d.title}</p>}
              {d.url && (
                <a href={d.url} className="text-xs text-brand-600 hover:underline" data-testid="delivery-link">
                  Open the page it links to
                </a>
              )}
            </td>
            <td className="whitespace-nowrap px-4 py-3" data-testid="delivery-status">
              <Badge color={color}>{label}</Badge>
              {d.status === "PENDING" && d.nextAttemptAt && (
                <span className="mt-0.5 block text-xs text-slate-500">
                  next try <RelativeTime date={d.nextAttemptAt} />
                </span>
              )}
              {d.deliveredAt && (
                <span className="mt-0.5 block text-xs text-slate-500">
                  <RelativeTime date={d.deliveredAt} />
                </span>
              )}
            </td>
            <td className="px-4 py-3 tabular-nums text-slate-700" data-testid="delivery-attempts">
              {d.attempts}
            </td>
            <td className="max-w-sm px-4 py-3 text-xs">
              {d.responseStatus !== null && <p className="font-mono text-slate-700">HTTP {d.responseStatus}</p>}
              {d.responseBody && <p className="mt-0.5 line-clamp-2 break-words font-mono text-slate-500">{d.responseBody}</p>}
              {d.error && <p className="mt-0.5 text-red-700">{d.error}</p>}
              {d.responseStatus === null && !d.error && <span className="text-slate-400">{d.status === "PENDING" ? "not sent yet" : "—"}</span>}
            </td>
            <td className="px-4 py-3 text-right">
              {resend && (
                // Kept while pending (disabled), so the form's outcome stays in view after it is sent again.
                <ActionForm action={resend} className="inline-flex max-w-48 flex-col items-end gap-1 text-left">
                  <input type="hidden" name="team" value={team} />
                  <input type="hidden" name="deliveryId" value={d.id} />
                  <SubmitButton
                    variant="ghost"
                    pendingLabel="Queuing…"
                    disabled={d.status === "PENDING"}
                    className="disabled:text-slate-300 disabled:hover:bg-transparent"
                    title={d.status === "PENDING" ? "Waiting for its next attempt" : "Send this message again"}
                  >
                    Resend
                  </SubmitButton>
                </ActionForm>
              )}
            </td>
          </tr>
        );
      })}
    </DataTable>
  );
}
