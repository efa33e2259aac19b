"use client";
import { useFormStatus } from "react-dom";
import { buttonClass, type ButtonVariant } from "./button-class";

/** A submit button that shows progress while its form's action runs. */
export function SubmitButton({
  children,
  pendingLabel,
  variant = "primary",
  className = "",
  disabled,
  ...rest
}: { children: React.ReactNode; pendingLabel?: string; variant?: ButtonVariant; className?: string } & React.ButtonHTMLAttributes<HTMLButtonElement>) {
  const { pending } = useFormStatus();
  return (
    <button type="submit" disabled={pending || disabled} className={buttonClass(variant, className)} {...rest}>
      {pending ? (pendingLabel ?? "Working…") : children}
    </button>
  );
}
