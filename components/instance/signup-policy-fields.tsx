"use client";
// The sign-up policy's choices and its domain list, inside the instance page's ActionForm. After a refused
// save they show what was sent; after a saved one, what is saved.
import { useActionFormState } from "@/components/ui/action-form";
import { TextAreaField } from "@/components/ui/field";
import type { SignupPolicy } from "@/lib/generated/prisma/enums";
import { MAX_SIGNUP_DOMAINS } from "@/lib/validation/instance";

const CHOICES: { value: SignupPolicy; label: string; hint: string }[] = [
  { value: "INVITE_ONLY", label: "Invitation only", hint: "Only people with an invite link from a team admin can make an account." },
  { value: "DOMAINS", label: "Email domains", hint: "Addresses at the domains below can make an account; invite links work too." },
  { value: "OPEN", label: "Open", hint: "Anyone who can reach this Berth can make an account." },
];

export function SignupPolicyFields({ policy, domains }: { policy: SignupPolicy; domains: string[] }) {
  const state = useActionFormState();
  const echoed = state && !state.ok ? state.values : undefined;
  const chosen = echoed?.signupPolicy ?? policy;
  const error = state?.fields?.signupPolicy;
  return (
    <div key={`${policy}:${domains.join(",")}:${echoed ? JSON.stringify(echoed) : ""}`} className="space-y-4">
      <fieldset>
        <legend className="text-sm font-medium text-slate-700">Who may make an account</legend>
        <div className="mt-2 space-y-2">
          {CHOICES.map((c) => (
            <label key={c.value} className="flex cursor-pointer items-start gap-3 rounded-md border border-slate-200 px-3 py-2 hover:bg-slate-50">
              <input type="radio" name="signupPolicy" value={c.value} defaultChecked={chosen === c.value} className="mt-1" />
              <span>
                <span className="block text-sm font-medium text-slate-800">{c.label}</span>
                <span className="block text-xs text-slate-500">{c.hint}</span>
              </span>
            </label>
          ))}
        </div>
        {error && <p className="mt-1 text-sm text-red-600">{error[0]}</p>}
      </fieldset>
      <div>
        <TextAreaField label="Email domains" name="signupDomains" rows={3} placeholder="example.com" defaultValue={domains.join("\n")} />
        <p className="mt-1 text-xs text-slate-500">
          One per line, like example.com. Exact match: list subdomains (eu.example.com) too if they should count. At most {MAX_SIGNUP_DOMAINS}.
        </p>
      </div>
    </div>
  );
}
