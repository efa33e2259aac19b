import { RelativeTime } from "@/components/time";
import { ActionForm } from "@/components/ui/action-form";
import { SubmitButton } from "@/components/ui/button";
import { Alert } from "@/components/ui/alert";
import { EmptyState } from "@/components/ui/card";
import { DataTable } from "@/components/ui/data-table";
import { requireTeam } from "@/lib/auth/session";
import { listHostImages } from "@/lib/data/host-calls";
import { AppError } from "@/lib/errors";
import { formatBytes } from "@/lib/format";
import { can } from "@/lib/permissions";
import { removeImageAction } from "../../actions";

export default async function HostImagesPage({ params }: { params: Promise<{ slug: string; hostId: string }> }) {
  const { slug, hostId } = await params;
  const ctx = await requireTeam(slug);
  let images: Awaited<ReturnType<typeof listHostImages>>;
  try {
    images = await listHostImages(ctx, hostId);
  } catch (e) {
    if (e instanceof AppError) return <Alert tone="warning">{e.message}</Alert>;
    throw e;
  }
  if (images.length === 0) return <EmptyState title="No images on this host" />;
  const canRemove = can(ctx.role, "container.act");
  return (
    <DataTable testId="images" columns={["Image", "Size", "Created", "Used by", ...(canRemove ? [""] : [])]}>
      {images.map((img) => (
        <tr key={img.id} className="align-top">
          <td className="px-4 py-3">
            <div className="font-medium">{img.tags.length ? img.tags.join(", ") : <span className="text-slate-400">untagged</span>}</div>
            <div className="font-mono text-xs text-slate-400">{img.id.replace("sha256:", "").slice(0, 12)}</div>
          </td>
          <td className="px-4 py-3 tabular-nums text-slate-600">{formatBytes(img.sizeBytes)}</td>
          <td className="px-4 py-3 text-slate-600">
            <RelativeTime date={new Date(img.createdAt)} />
          </td>
          <td className="px-4 py-3 text-slate-600">
            {img.containers.length ? img.containers.map((c) => c.name).join(", ") : <span className="text-slate-400">unused</span>}
          </td>
          {canRemove && (
            <td className="px-4 py-3 text-right">
              {img.containers.length === 0 && (
                <ActionForm action={removeImageAction} confirm="Remove this image from the host?" className="inline-flex flex-col items-end gap-1">
                  <input type="hidden" name="team" value={ctx.team.slug} />
                  <input type="hidden" name="hostId" value={hostId} />
                  <input type="hidden" name="imageId" value={img.id} />
                  <SubmitButton variant="ghost" pendingLabel="Removing…">
                    Remove
                  </SubmitButton>
                </ActionForm>
              )}
            </td>
          )}
        </tr>
      ))}
    </DataTable>
  );
}
