// What Berth notifies about: the events a rule can choose, their labels, and the facts a trigger hands to
// notify() inside the transaction that recorded what happened.

export const NOTIFICATION_EVENTS = [
  "deployment.failed",
  "deployment.succeeded",
  "host.offline",
  "host.online",
  "container.crash_looping",
  "variables.changed",
] as const;

export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

/** A channel's "send test" message is of its own kind, which no rule chooses. */
export type MessageEvent = NotificationEvent | "test";

/** Short labels for forms, lists and message titles. */
export const EVENT_LABELS: Record<MessageEvent, string> = {
  "deployment.failed": "Deployment failed",
  "deployment.succeeded": "Deployment succeeded",
  "host.offline": "Host offline",
  "host.online": "Host back online",
  "container.crash_looping": "Container crash-looping",
  "variables.changed": "Protected environment's variables changed",
  test: "Test notification",
};

export function isNotificationEvent(value: string): value is NotificationEvent {
  return (NOTIFICATION_EVENTS as readonly string[]).includes(value);
}

/**
 * What happened, as its trigger knows it. The most specific id is enough: a deployment names its service,
 * host, environment and project; a service its environment and project; an environment its project.
 * Routing: a rule limited to a project (or environment) matches only facts of that project (environment);
 * facts without one (a host going offline) match only rules that are not limited. A trigger may call
 * notify() once per project concerned with the same `key`: each channel still gets one delivery.
 */
export type NotificationFacts = {
  teamId: string;
  event: NotificationEvent;
  /** Once per happening, e.g. "deployment:<id>:failed": one delivery per channel per key. */
  key: string;
  projectId?: string | null;
  environmentId?: string | null;
  serviceId?: string | null;
  hostId?: string | null;
  deploymentId?: string | null;
  containerName?: string | null;
  /** One line: the error, "restarted 4 times in 5 min". Never a secret value. */
  detail?: string | null;
  /** Only these rules (crash-loop thresholds are per rule). */
  ruleIds?: string[];
};
