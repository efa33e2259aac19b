// next-auth configuration: email + password only. The JWT names a server-side session row (`sid`,
// lib/data/sessions.ts); every request checks that row, and signing out revokes it.
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { endSession, SESSION_MAX_AGE_SECONDS, startSession } from "@/lib/data/sessions";
import { verifyCredentials } from "@/lib/data/users";
import { AppError } from "@/lib/errors";
import { clientIp } from "@/lib/http/client-ip";
import { safeNext } from "@/lib/http/safe-next";

export const authOptions: NextAuthOptions = {
  session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_SECONDS },
  pages: { signIn: "/signin" },
  providers: [
    CredentialsProvider({
      name: "Email and password",
      credentials: { email: { type: "email" }, password: { type: "password" } },
      async authorize(credentials, req) {
        try {
          // The address as Berth's front door saw it: a client cannot choose it to dodge throttling.
          const user = await verifyCredentials(credentials?.email ?? "", credentials?.password ?? "", clientIp(req?.headers));
          return { ...user, sid: await startSession(user) };
        } catch (e) {
          // next-auth passes a thrown error's message to the sign-in form.
          if (e instanceof AppError) throw new Error(e.message);
          throw e;
        }
      },
    }),
  ],
  callbacks: {
    jwt({ token, user }) {
      if (user) {
        const u = user as { id: string; sid?: string };
        token.uid = u.id;
        token.sid = u.sid;
      }
      return token;
    },
    session({ session, token }) {
      return { ...session, uid: token.uid, sid: token.sid };
    },
    /** next-auth's own redirects (`callbackUrl`) follow the same rule as `next`: a path on this site. */
    redirect({ url, baseUrl }) {
      return baseUrl + safeNext(url.startsWith(`${baseUrl}/`) ? url.slice(baseUrl.length) : url);
    },
  },
  events: {
    async signOut({ token }) {
      if (typeof token?.uid === "string" && typeof token.sid === "string") await endSession(token.uid, token.sid);
    },
  },
};
