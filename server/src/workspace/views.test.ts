import { describe, expect, it } from 'vitest';
import { AppError } from '../core/errors.js';
import { filterOf, teamMates, ttlMemo, viewsFor } from './views.js';

const agent = { id: 'u1', role: 'agent' };
const lead = { id: 'u9', role: 'supervisor' };
const team = async () => ['u1', 'u2'];

describe('workspace tabs', () => {
  it('turn into conversation filters; all is for supervisors and admins only', async () => {
    expect(await filterOf('mine', agent, team, {})).toMatchObject({ scope: 'open', assignees: ['u1'] });
    expect(await filterOf('queue', agent, team, { channel: 'web' })).toMatchObject({ statuses: ['queued'], channel: 'web' });
    expect(await filterOf('team', agent, team, { q: '' })).toMatchObject({ assignees: ['u1', 'u2'], orQueued: true, q: undefined });
    expect(await filterOf('all', lead, team, { tier: 'VIP' })).toMatchObject({ scope: 'open', tier: 'VIP' });
    await expect(filterOf('all', agent, team, {})).rejects.toBeInstanceOf(AppError);
    expect(viewsFor('agent')).toEqual(['mine', 'queue', 'team']);
    expect(viewsFor('admin')).toEqual(['mine', 'queue', 'team', 'all']);
  });

  it('team mates come from the agents\' teams; without a team an agent is alone', async () => {
    const agents = async () => [{ user_id: 'a', team: '售后' }, { user_id: 'b', team: '售前' }, { user_id: 'c', team: '售后' }, { user_id: 'd', team: null }];
    expect(await teamMates(agents, 'a')).toEqual(['a', 'c']);
    expect(await teamMates(agents, 'd')).toEqual(['d']);
  });

  it('ttlMemo answers the same key from one computation until the time is up', async () => {
    let now = 0;
    let calls = 0;
    const memo = ttlMemo<number>(300, () => now);
    const compute = async () => ++calls;
    expect(await Promise.all([memo('k', compute), memo('k', compute)])).toEqual([1, 1]);
    now = 299;
    expect(await memo('k', compute)).toBe(1);
    expect(await memo('other', compute)).toBe(2);
    now = 300;
    expect(await memo('k', compute)).toBe(3);
    // a failure is not kept
    await expect(memo('bad', async () => Promise.reject(new Error('x')))).rejects.toThrow('x');
    expect(await memo('bad', compute)).toBe(4);
  });
});
