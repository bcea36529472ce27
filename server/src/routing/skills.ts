/**
 * What a conversation needs, from the bot's intent guess: a skill (e.g. 发票) and/or a team.
 * First the intent itself (by id or name), then its category, then nothing (any agent).
 */
export type Need = { skills: string[]; team: string | null; source: string };

const SKILL_OF_INTENT: Record<string, string> = {
  // 售后
  invoice: '发票', 发票开具: '发票',
  refund_process: '退换货', 退款流程: '退换货',
  return_exchange: '退换货', 退换货: '退换货',
  cancel_order: '退换货', 取消订单: '退换货',
  damaged_package: '退换货', 包装破损: '退换货',
  price_protection: '退换货', 价格保护: '退换货',
  allergic_reaction: '过敏处理', 过敏反应: '过敏处理',
  logistics_query: '物流', 物流查询: '物流',
  change_address: '物流', 修改地址: '物流',
  urge_shipping: '物流', 催发货: '物流',
  missing_items: '物流', 漏发少发: '物流',
  shipping_fee: '物流', 运费说明: '物流',
  // 售前
  promotion_rules: '活动规则', 活动规则: '活动规则',
  coupon_usage: '活动规则', 优惠券使用: '活动规则',
  gift_inquiry: '活动规则', 赠品咨询: '活动规则',
  product_ingredients: '产品咨询', 产品成分: '产品咨询',
  skin_type_recommendation: '产品咨询', 肤质推荐: '产品咨询',
  sensitive_skin: '产品咨询', 敏感肌适用: '产品咨询',
  pregnancy_safe: '产品咨询', 孕妇可用: '产品咨询',
  usage_instructions: '产品咨询', 使用方法: '产品咨询',
  sunscreen_spf: '产品咨询', 防晒SPF说明: '产品咨询',
  blush_effect: '产品咨询', 腮红效果: '产品咨询',
  product_stock: '产品咨询', 缺货补货: '产品咨询',
};

/** The team that owns each skill (demo company: 售前 and 售后). */
export const TEAM_OF_SKILL: Record<string, string> = {
  发票: '售后', 退换货: '售后', 过敏处理: '售后', 物流: '售后',
  产品咨询: '售前', 活动规则: '售前',
};

/** Intent categories (knowledge base) → team, for intents without a skill of their own. */
const TEAM_OF_CATEGORY: Record<string, string> = { 售后: '售后', 物流: '售后', 账户: '售后', 售前: '售前', 会员: '售前' };

export function needOf(intent: { id: string; name: string } | null, category: string | null, english: boolean): Need {
  const skills: string[] = [];
  let team: string | null = null;
  let source = '无意图';
  const skill = intent ? SKILL_OF_INTENT[intent.id] ?? SKILL_OF_INTENT[intent.name] : undefined;
  if (intent && skill) {
    skills.push(skill);
    team = TEAM_OF_SKILL[skill] ?? null;
    source = `意图「${intent.name}」→ 技能「${skill}」`;
  } else if (intent && category && TEAM_OF_CATEGORY[category]) {
    team = TEAM_OF_CATEGORY[category]!;
    source = `意图「${intent.name}」(分类 ${category}) → 团队「${team}」`;
  } else if (intent) {
    source = `意图「${intent.name}」无对应技能`;
  }
  if (english) {
    skills.push('English');
    source += '；客户使用英文 → 技能「English」';
  }
  return { skills, team, source };
}

/** True when the customer writes in English (Latin words, no Chinese). */
export function looksEnglish(texts: string[]): boolean {
  const joined = texts.join(' ');
  if (/[\u4e00-\u9fff]/.test(joined)) return false;
  return (joined.match(/[A-Za-z]{2,}/g) ?? []).length >= 2;
}
