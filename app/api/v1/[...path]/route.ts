// Berth's JSON API: every operation in lib/api/registry.ts, found by method and path (lib/api/http.ts).
import { apiHandlers } from "@/lib/api/http";
import { OPERATIONS } from "@/lib/api/registry";

export const dynamic = "force-dynamic";

export const { GET, HEAD, POST, PATCH, PUT, DELETE } = apiHandlers([...OPERATIONS]);
