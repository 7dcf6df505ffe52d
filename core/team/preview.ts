import type { TeamPreview } from '../../shared/team';
import type { Core } from '../app/core';
import { connectCentral, describeTarget, type CentralConfig } from '../sync/central/connect';
import { notMigratedError, readHello } from '../sync/central/identity';
import { centralSchemaIsCurrent } from '../sync/central/pull';
import { signIn } from '../sync/central/sign-in';
import { describeConnectFailure } from './connect-errors';

/**
 * What connecting this laptop to a team's server would do, read without changing anything here:
 * who the server says this login is, what local work no team has seen, whether the person must
 * choose between uploading it and starting fresh, and whether this laptop already belongs to
 * someone else on that server. (Signing in may enrol the database owner's login on the server,
 * as any first sync would; nothing else is written there.)
 */
export async function previewTeam(core: Core, config: CentralConfig): Promise<TeamPreview> {
  const client = await connectCentral(config).catch((error: unknown) => {
    throw describeConnectFailure(error, config.url);
  });
  try {
    if (!(await centralSchemaIsCurrent(client))) throw notMigratedError();
    const me = await signIn(client);
    const hello = await readHello(client, core.sync.state.clientId());
    const local = core.sync.localWork();
    const bound = core.sync.binding.bound();
    return {
      target: describeTarget(config.url),
      centralId: hello.centralId,
      user: me.user,
      local,
      choiceNeeded: core.sync.state.central() === null && local.pendingChanges > 0,
      boundToOther: bound && bound.centralId === hello.centralId && bound.userId !== me.user.userId ? bound.fullName : null,
    };
  } catch (error) {
    throw describeConnectFailure(error, config.url);
  } finally {
    await client.end().catch(() => undefined);
  }
}
