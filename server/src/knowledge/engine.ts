/**
 * The knowledge module's one door to the bot engine (training, answer picking) and the NLP
 * toolkit (normalising, segmenting mined chat logs), so the rest of the module depends on
 * the contract in bot/engine/types.ts only.
 */
import { trainModel, pickAnswer as enginePickAnswer } from '../bot/engine/index.js';
import { Normalizer, Segmenter } from '../nlp/index.js';
import type { BotModel, Dictionaries, Faq, FaqAnswer, KnowledgeSnapshot, TrainOptions } from '../bot/engine/types.js';
import type { Channel } from '../core/message.js';

export function train(snapshot: KnowledgeSnapshot, opts: TrainOptions = {}): BotModel {
  return trainModel(snapshot, { seed: 42, ...opts });
}

export function pickAnswer(faq: Faq, ctx: { tier?: string | null; channel?: Channel | null }): FaqAnswer | null {
  return (enginePickAnswer(faq, { tier: ctx.tier ?? null, channel: ctx.channel ?? null }) as FaqAnswer | null | undefined) ?? null;
}

/** normalised text and its words, as the engine sees them */
export function textTools(d: Partial<Dictionaries> = {}) {
  const normalizer = new Normalizer({ dialect: d.dialect ?? [], synonyms: d.synonyms ?? [], domainTerms: d.domainTerms ?? [] });
  const segmenter = new Segmenter(d.domainTerms ?? []);
  return {
    normalize: (s: string) => normalizer.normalize(s).text,
    segment: (s: string) => segmenter.segment(s),
  };
}
