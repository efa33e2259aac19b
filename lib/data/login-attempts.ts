// Sign-in throttling: too many failures for one email or from one address lock sign-in for a while.
import { db } from "@/lib/db";
import { RateLimitError } from "@/lib/errors";

export const THROTTLE = { windowMinutes: 15, maxPerEmail: 5, maxPerIp: 30 };

export async function assertSignInAllowed(email: string, ip: string): Promise<void> {
  const since = new Date(Date.now() - THROTTLE.windowMinutes * 60_000);
  const [byEmail, byIp] = await Promise.all([
    db.loginAttempt.findMany({
      where: { email, success: false, createdAt: { gte: since } },
      orderBy: { createdAt: "asc" },
      select: { createdAt: true },
    }),
    db.loginAttempt.count({ where: { ip, success: false, createdAt: { gte: since } } }),
  ]);
  if (byEmail.length >= THROTTLE.maxPerEmail || byIp >= THROTTLE.maxPerIp) {
    const oldest = byEmail[0]?.createdAt ?? since;
    const retry = Math.max(60, Math.ceil((oldest.getTime() + THROTTLE.windowMinutes * 60_000 - Date.now()) / 1000));
    throw new RateLimitError(
      `Too many failed sign-in attempts. Try again in ${Math.ceil(retry / 60)} minute${retry > 60 ? "s" : ""}.`,
      retry,
    );
  }
}

export async function recordSignInAttempt(email: string, ip: string, success: boolean): Promise<void> {
  await db.loginAttempt.create({ data: { email, ip, success } });
  // A success clears the email's failures, so a user who finally remembers is not locked out later.
  if (success) await db.loginAttempt.deleteMany({ where: { email, success: false } });
}
