// next-auth's own routes (sign-in, sign-out, session, CSRF). They take forms and query strings from anyone, so
// they get the same edge checks as Berth's routes first: a known action, a bounded body, and no control
// characters in what next-auth would copy into a cookie or a Location header (that made it answer 500).
import NextAuth from "next-auth";
import { authOptions } from "@/lib/auth/options";
import { readBody, utf8 } from "@/lib/http/body";
import { route } from "@/lib/http/route";
import { NotFoundError, ValidationError } from "@/lib/errors";

const nextAuth = NextAuth(authOptions);
const ACTIONS = new Set(["session", "csrf", "providers", "signin", "callback", "signout", "error", "_log"]);
const CONTROL = /[\u0000-\u001f\u007f]/;

type P = { nextauth: string[] };

async function checked(req: Request, ctx: { params: Promise<P> }) {
  const { nextauth } = await ctx.params;
  if (!ACTIONS.has(nextauth[0] ?? "")) throw new NotFoundError();
  const values = [...new URL(req.url).searchParams.values()];
  if (req.method === "POST") values.push(...new URLSearchParams(utf8(await readBody(req.clone(), 64 * 1024))).values());
  if (values.some((v) => CONTROL.test(v))) throw new ValidationError("The request contains control characters.");
  return nextAuth(req, ctx);
}

// route() maps the checks' errors to 4xx; next-auth's own POSTs are forms, so they skip its JSON-only rule.
const handler = route<P>((req, _params) => checked(req, { params: Promise.resolve(_params) }), { forms: true });
export { handler as GET, handler as POST };
