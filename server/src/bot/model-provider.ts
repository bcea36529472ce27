import type { EventBus } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import type { BotModel, Faq, KnowledgeSnapshot } from './engine/types.js';

export type KnowledgeSource = {
  /** the active published version (cheap) */
  publishedVersion(): Promise<number>;
  /** the active published snapshot */
  published(): Promise<KnowledgeSnapshot>;
};

export type ActiveModel = { model: BotModel; snapshot: KnowledgeSnapshot; faqById: Map<string, Faq> };

/**
 * Holds the model trained from the published knowledge. Retrains when trainers publish: at
 * once on this instance (the bus event), and within a few seconds on the others (a cheap
 * version check), so no instance answers from stale knowledge for long.
 */
export class ModelProvider {
  private active: ActiveModel | null = null;
  private training: Promise<ActiveModel | null> | null = null;
  private checkedAt = 0;

  constructor(
    private readonly source: KnowledgeSource,
    private readonly train: (s: KnowledgeSnapshot) => BotModel,
    bus: EventBus,
    private readonly log: Logger,
    private readonly recheckMs = 3000,
  ) {
    bus.on('knowledge.published', () => {
      this.checkedAt = 0;
    });
  }

  async current(): Promise<ActiveModel | null> {
    const now = Date.now();
    if (this.active && now - this.checkedAt < this.recheckMs) return this.active;
    this.checkedAt = now;
    const version = await this.source.publishedVersion();
    if (version === 0) return (this.active = null);
    if (this.active?.snapshot.version === version) return this.active;
    this.training ??= this.retrain().finally(() => {
      this.training = null;
    });
    return this.training;
  }

  private async retrain(): Promise<ActiveModel | null> {
    const snapshot = await this.source.published();
    const t0 = performance.now();
    const model = this.train(snapshot);
    this.log.info({ version: snapshot.version, intents: snapshot.intents.length, faqs: snapshot.faqs.length, ms: Math.round(performance.now() - t0) }, 'bot model trained');
    this.active = { model, snapshot, faqById: new Map(snapshot.faqs.map((f) => [f.id, f])) };
    return this.active;
  }
}
