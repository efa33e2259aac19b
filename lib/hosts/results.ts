// What host jobs answer: shapes shared by the agent (which produces them) and the web app (which shows
// them), so the web app never imports worker code.
export type LogLine = { stream: "stdout" | "stderr"; text: string; ts: string | null };

export type StatsSample = {
  cpuPercent: number;
  memUsedBytes: number;
  memLimitBytes: number;
  memPercent: number;
  netRxBytes: number;
  netTxBytes: number;
  blockReadBytes: number;
  blockWriteBytes: number;
  pids: number;
  at: string;
};

export type ImageSummary = {
  id: string;
  tags: string[];
  sizeBytes: number;
  createdAt: string;
  containers: { id: string; name: string }[];
};

/** What the container page shows beyond the list; environment as names only. */
export type ContainerDetails = {
  image: string;
  command: string[];
  entrypoint: string[];
  created: string;
  restartPolicy: string;
  tty: boolean;
  networks: { name: string; ip: string | null }[];
  mounts: { type: string; source: string; destination: string; readOnly: boolean }[];
  envNames: string[];
};
