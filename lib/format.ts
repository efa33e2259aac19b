export function formatBytes(n: number | bigint | null | undefined): string {
  if (n === null || n === undefined) return "–";
  let v = Number(n);
  const units = ["B", "KB", "MB", "GB", "TB"];
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 100 || i === 0 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

export function formatPercent(n: number | null | undefined): string {
  return n === null || n === undefined ? "–" : `${n.toFixed(n < 10 ? 1 : 0)}%`;
}
