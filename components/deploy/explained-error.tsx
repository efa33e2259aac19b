// A failure that explains itself: what happened (one line), the program's own words (git's, Docker's, the
// container's last lines) as they were, and what to do about it. Deployment errors arrive as one text whose
// first line is the title and whose "Hint: " lines are hints (lib/git/explain.ts formatGitProblem).

export function splitError(text: string): { title: string; detail: string; hints: string[] } {
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  const hints = lines.filter((l) => l.startsWith("Hint: ")).map((l) => l.slice("Hint: ".length));
  const rest = lines.slice(1).filter((l) => !l.startsWith("Hint: "));
  return { title: lines[0] ?? "", detail: rest.join("\n").trim(), hints };
}

export function ExplainedProblem({ title, detail, hints, testId }: { title: string; detail: string; hints: string[]; testId?: string }) {
  return (
    <div className="space-y-1.5" data-testid={testId}>
      <p className="font-medium" data-testid={testId ? `${testId}-title` : undefined}>
        {title}
      </p>
      {detail && (
        <pre
          className="whitespace-pre-wrap break-words rounded bg-white/60 px-2 py-1 font-mono text-xs text-red-900"
          data-testid={testId ? `${testId}-reason` : undefined}
        >
          {detail}
        </pre>
      )}
      {hints.map((h) => (
        <p key={h} className="text-sm text-slate-700" data-testid={testId ? `${testId}-hint` : undefined}>
          <span className="font-medium">What to do: </span>
          {h}
        </p>
      ))}
    </div>
  );
}

/** A deployment's stored error, split into its parts. */
export function ExplainedError({ text, testId }: { text: string; testId?: string }) {
  return <ExplainedProblem {...splitError(text)} testId={testId} />;
}
