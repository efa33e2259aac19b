import { Forbidden } from "@/components/forbidden";
import { AddChannelForm } from "@/components/notifications/add-channel-form";
import { ChannelCard } from "@/components/notifications/channel-card";
import { Card, EmptyState } from "@/components/ui/card";
import { requireTeam } from "@/lib/auth/session";
import { listChannels } from "@/lib/data/notifications/channels";
import { listProjects } from "@/lib/data/projects";
import { can } from "@/lib/permissions";
import {
  createChannelAction,
  createRuleAction,
  deleteChannelAction,
  deleteRuleAction,
  rotateSecretAction,
  sendTestAction,
  updateChannelAction,
  updateRuleAction,
} from "./actions";

export const metadata = { title: "Notifications" };

const actions = {
  update: updateChannelAction,
  remove: deleteChannelAction,
  rotate: rotateSecretAction,
  test: sendTestAction,
  createRule: createRuleAction,
  updateRule: updateRuleAction,
  deleteRule: deleteRuleAction,
};

export default async function NotificationsPage({ params }: { params: Promise<{ slug: string }> }) {
  const ctx = await requireTeam((await params).slug);
  if (!can(ctx.role, "notification.read")) return <Forbidden what="Developers, admins and owners see the team's notification channels." />;
  const manage = can(ctx.role, "notification.manage");
  const [channels, projects] = await Promise.all([listChannels(ctx), listProjects(ctx)]);
  const routing = projects.map((p) => ({ id: p.id, name: p.name, environments: p.environments.map((e) => ({ id: e.id, name: e.name })) }));
  const base = `/t/${ctx.team.slug}/settings/notifications`;

  return (
    <div className="space-y-6">
      {manage && (
        <Card
          title="Add a channel"
          description="Where Berth tells the team what happened: a signed webhook, a Slack channel, or email. Rules on the channel choose the events."
        >
          <AddChannelForm team={ctx.team.slug} action={createChannelAction} />
        </Card>
      )}
      <section className="space-y-4">
        <div>
          <h2 className="text-lg font-semibold text-slate-900">Channels</h2>
          <p className="text-sm text-slate-500">
            Each message names the team, project, environment, service, host and commit, and links to the page that shows it.
          </p>
        </div>
        {channels.length === 0 ? (
          <EmptyState title="No channels yet">
            {manage
              ? "Add a channel above, then a rule such as “Deployment failed” to hear when production breaks."
              : "An admin can add a webhook, Slack or email channel here; you will then see its deliveries."}
          </EmptyState>
        ) : (
          channels.map((c) => (
            <ChannelCard
              key={c.id}
              channel={c}
              team={ctx.team.slug}
              manage={manage}
              projects={routing}
              actions={actions}
              deliveriesHref={`${base}/deliveries?channelId=${c.id}`}
            />
          ))
        )}
      </section>
    </div>
  );
}
