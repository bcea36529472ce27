import type { Kysely } from 'kysely';
import type { Database, QuickRepliesTable } from '../db/schema.js';
import type { Clock } from '../core/clock.js';
import { newId } from '../core/ids.js';

export const HOTKEYS = ['F1', 'F2', 'F3', 'F4', 'F5', 'F6', 'F7', 'F8', 'F9', 'F10', 'F11', 'F12'] as const;
export type Hotkey = (typeof HOTKEYS)[number];
export type QuickReply = Pick<QuickRepliesTable, 'id' | 'scope' | 'hotkey' | 'title' | 'text' | 'updated_at'>;
/** who a template is for: everybody, the members of one team, or one agent */
export const SCOPES = ['shared', 'team', 'user'] as const;
export type Scope = (typeof SCOPES)[number];
/** on the same key an agent's own template wins over the team's, which wins over the shared one */
const PRECEDENCE: Record<string, number> = { shared: 0, team: 1, user: 2 };

/** 悦肤美妆's shared templates (demo-company.md: F1 退换货流程, F2 电子发票指南). */
const DEMO: { hotkey: Hotkey; title: string; text: string }[] = [
  { hotkey: 'F1', title: '退换货流程', text: '亲，退换货流程：1. 打开「悦肤美妆」小程序 → 我的 → 订单，选择要退换的商品点「申请售后」；2. 选择退货/换货并填写原因，未拆封商品 7 天无理由；3. 审核通过后按页面地址寄回并填写运单号，仓库签收后 1–3 个工作日内处理完成。' },
  { hotkey: 'F2', title: '电子发票指南', text: '亲，电子发票这样开：小程序 → 我的 → 订单 → 选择已完成订单 → 申请开票，填写抬头（个人填姓名，单位填全称和税号），提交后 1 个工作日内发送到您的邮箱，也可在「我的 → 发票中心」下载 PDF。' },
  { hotkey: 'F3', title: '稍等查询', text: '好的亲，我这边马上为您查询，请稍等 1–2 分钟～' },
  { hotkey: 'F4', title: '结束语', text: '感谢您的耐心，还有其他可以帮您的吗？祝您生活愉快～' },
];

/**
 * Quick replies on F1–F12: shared templates for every agent, a team's templates for its
 * members, and each agent's own; the most personal one wins on a key.
 */
export class QuickReplies {
  constructor(private readonly db: Kysely<Database>, private readonly clock: Clock) {}

  /** The set an agent sees: on each key the most personal template (own, else team, else shared). */
  async effective(userId: string, teamId: string | null): Promise<QuickReply[]> {
    const rows = await this.layers(userId, teamId);
    const byKey = new Map<string, QuickReply>();
    for (const r of rows) {
      const had = byKey.get(r.hotkey);
      if (!had || PRECEDENCE[r.scope]! > PRECEDENCE[had.scope]!) byKey.set(r.hotkey, r);
    }
    return HOTKEYS.flatMap((k) => (byKey.has(k) ? [byKey.get(k)!] : []));
  }

  /** Every template that applies to the agent, each layer separately (for the editor). */
  async layers(userId: string, teamId: string | null): Promise<QuickReply[]> {
    return this.db
      .selectFrom('quick_replies')
      .select(['id', 'scope', 'hotkey', 'title', 'text', 'updated_at'])
      .where((eb) => eb.or([
        eb('scope', '=', 'shared'),
        eb.and([eb('scope', '=', 'user'), eb('owner', '=', userId)]),
        ...(teamId ? [eb.and([eb('scope', '=', 'team'), eb('owner', '=', teamId)])] : []),
      ]))
      .execute();
  }

  async put(scope: Scope, owner: string, hotkey: Hotkey, title: string, text: string): Promise<QuickReply> {
    const updated_at = this.clock.now().toISOString();
    await this.db
      .insertInto('quick_replies')
      .values({ id: newId('q'), scope, owner, hotkey, title, text, updated_at })
      .onConflict((oc) => oc.columns(['scope', 'owner', 'hotkey']).doUpdateSet({ title, text, updated_at }))
      .execute();
    return this.db
      .selectFrom('quick_replies')
      .select(['id', 'scope', 'hotkey', 'title', 'text', 'updated_at'])
      .where('scope', '=', scope)
      .where('owner', '=', owner)
      .where('hotkey', '=', hotkey)
      .executeTakeFirstOrThrow();
  }

  async remove(scope: Scope, owner: string, hotkey: Hotkey): Promise<boolean> {
    const r = await this.db.deleteFrom('quick_replies').where('scope', '=', scope).where('owner', '=', owner).where('hotkey', '=', hotkey).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  /** Loads the demo templates once (a table with any template is left alone). */
  async seedDemo(): Promise<void> {
    if (await this.db.selectFrom('quick_replies').select('id').limit(1).executeTakeFirst()) return;
    for (const d of DEMO) await this.put('shared', 'all', d.hotkey, d.title, d.text);
  }
}
