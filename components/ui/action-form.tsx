"use client";
// A form bound to a server action. Its outcome (error, success message, field errors, echoed values)
// is shared through context so fields and result panels inside it can show it.
import { createContext, useActionState, useContext, useEffect, useRef } from "react";
import type { ActionState } from "@/lib/http/action-state";
import { FormMessage } from "./alert";

/** A server action a form posts to; pages pass them to components (components/ never import app/). */
export type FormAction = (prev: ActionState | undefined, form: FormData) => Promise<ActionState>;
type Action = FormAction;

const StateContext = createContext<ActionState | undefined>(undefined);

export function useActionFormState(): ActionState | undefined {
  return useContext(StateContext);
}

export function ActionForm({
  action,
  children,
  className = "space-y-4",
  confirm,
  resetOnSuccess,
  showMessage = true,
  ...rest
}: {
  action: Action;
  children: React.ReactNode;
  className?: string;
  /** Asked with window.confirm before submitting (for destructive actions). */
  confirm?: string;
  resetOnSuccess?: boolean;
  showMessage?: boolean;
} & Omit<React.FormHTMLAttributes<HTMLFormElement>, "action">) {
  const [state, formAction] = useActionState(action, undefined);
  const ref = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (state?.ok && resetOnSuccess) ref.current?.reset();
  }, [state, resetOnSuccess]);
  return (
    <StateContext.Provider value={state}>
      <form
        ref={ref}
        action={formAction}
        noValidate
        className={className}
        onSubmit={(e) => {
          if (confirm && !window.confirm(confirm)) e.preventDefault();
        }}
        {...rest}
      >
        {showMessage && <FormMessage state={state} />}
        {children}
      </form>
    </StateContext.Provider>
  );
}
