// Whether the host serves the service's live release, as its agent last found (Service.servingProblem):
// "serving", or "not serving" with the agent's reason (a container removed by hand and being recreated, a
// stopped container...). Nothing while no release is live or no check has been reported yet; when the host
// is offline the last finding may be stale, and says so.
import { RelativeTime } from "@/components/time";
import { Badge } from "@/components/ui/card";

export function ServingState({ live, problem, checkedAt, hostOnline }: { live: boolean; problem: string | null; checkedAt: Date | null; hostOnline: boolean }) {
  if (!live || !checkedAt) return null;
  return (
    <p className="flex flex-wrap items-center gap-1.5 text-sm" data-testid="serving-state" data-serving={problem === null}>
      <Badge color={problem ? "red" : "green"}>{problem ? "not serving" : "serving"}</Badge>
      {problem && <span className="text-slate-700">{problem}</span>}
      <span className="text-xs text-slate-400">
        checked <RelativeTime date={checkedAt} />
        {!hostOnline && " · the host is offline, so this may be out of date"}
      </span>
    </p>
  );
}
