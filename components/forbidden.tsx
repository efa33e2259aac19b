import { Alert } from "./ui/alert";

/** What a member sees on a page their role may not open (the server refuses the actions too). */
export function Forbidden({ what }: { what: string }) {
  return (
    <Alert tone="warning">
      <span className="font-medium">Not available to your role.</span> {what}
    </Alert>
  );
}
