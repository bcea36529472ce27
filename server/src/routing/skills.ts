/**
 * What a conversation needs, from the bot's intent guess: a skill (e.g. 发票) and/or a team.
 * The skill is the intent's own (set in the knowledge base); its team comes from the routing
 * settings' skill → team list; an intent without a skill may still belong to a team through its
 * category (category → team). No intent: any agent.
 */
export type Need = { skills: string[]; team: string | null; source: string };

export type TeamMaps = { skill_teams: { skill: string; team: string }[]; category_teams: { category: string; team: string }[] };

export function needOf(intent: { name: string; category?: string | null; skill?: string | null } | null, english: boolean, maps: TeamMaps): Need {
  const skills: string[] = [];
  let team: string | null = null;
  let source = '无意图';
  const categoryTeam = intent?.category ? maps.category_teams.find((c) => c.category === intent.category)?.team : undefined;
  if (intent?.skill) {
    skills.push(intent.skill);
    team = maps.skill_teams.find((s) => s.skill === intent.skill)?.team ?? null;
    source = `意图「${intent.name}」→ 技能「${intent.skill}」`;
  } else if (intent && categoryTeam) {
    team = categoryTeam;
    source = `意图「${intent.name}」(分类 ${intent.category}) → 团队「${team}」`;
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
