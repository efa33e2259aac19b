/** A timestamp shown relative ("3 minutes ago") with the exact UTC time on hover. */
export function RelativeTime({ date }: { date: Date }) {
  return (
    <time dateTime={date.toISOString()} title={date.toUTCString()}>
      {relative(date)}
    </time>
  );
}

export function relative(date: Date, now = Date.now()): string {
  const s = Math.round((date.getTime() - now) / 1000);
  const abs = Math.abs(s);
  const fmt = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
  if (abs < 45) return s <= 0 ? "just now" : "in a few seconds";
  if (abs < 3600) return fmt.format(Math.round(s / 60), "minute");
  if (abs < 86400) return fmt.format(Math.round(s / 3600), "hour");
  if (abs < 86400 * 30) return fmt.format(Math.round(s / 86400), "day");
  return date.toISOString().slice(0, 10);
}
