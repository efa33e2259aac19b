// Berth's agent image as a `docker load`-able tarball (gzip), for the install script (`?token=` an unused
// enrollment token) and for an agent updating itself (Basic `host-<id>:<password>`).
import fs from "node:fs";
import { Readable } from "node:stream";
import { authorizeImageDownload } from "@/lib/data/host-enrollment";
import { AppError } from "@/lib/errors";
import { currentAgentImage } from "@/lib/hosts/agent-image";
import { clientIp } from "@/lib/http/client-ip";
import { route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

export const GET = route(async (req) => {
  const token = new URL(req.url).searchParams.get("token");
  await authorizeImageDownload({ token, authorization: req.headers.get("authorization") }, clientIp(req.headers));
  const image = currentAgentImage();
  const size = image && fs.statSync(image.file, { throwIfNoEntry: false })?.size;
  if (!image || !size)
    throw new AppError("Berth has no agent image yet: on Berth's machine, run npm start with Docker running (it builds the image).", 503, "unavailable");
  const body = Readable.toWeb(fs.createReadStream(image.file)) as ReadableStream<Uint8Array>;
  return new Response(body, {
    headers: {
      "content-type": "application/gzip",
      // Next.js drops Content-Length from a route handler's response (it streams chunked), so the size also
      // travels in a header of Berth's own.
      "content-length": String(size),
      "x-berth-image-bytes": String(size),
      "content-disposition": `attachment; filename="berth-agent-${image.version}.tar.gz"`,
      "x-berth-image-sha256": image.sha256,
      "x-berth-image-version": image.version,
      "x-berth-image-tag": image.tag,
      "cache-control": "no-store",
    },
  });
});
