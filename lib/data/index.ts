// The data-access layer: the only code that touches Prisma. Team-scoped functions take a TeamContext.
export * from "./context";
export * from "./audit";
export * from "./users";
export * from "./teams";
export * from "./members";
export * from "./invites";
export * from "./outbox";
export * from "./sessions";
export * from "./password-reset";
export { reserveSignInAttempt, settleSignInAttempt } from "./login-attempts";
