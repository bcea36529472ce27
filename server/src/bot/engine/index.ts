/**
 * The bot engine: trains a model from a knowledge snapshot, analyses customer messages
 * (normalisation, intents, FAQs, out of scope, band, sentiment, sensitive words), evaluates.
 */
export type * from './types.js';
export { trainModel, loadModel, pickAnswer, intentExamples, KefuModel, ModelLoadError, NONE_LABEL, EMPTY_DICTIONARIES, type EngineTrainOptions, type AnalyzeOptions } from './model.js';
export { bandOf, DEFAULT_THRESHOLDS } from './bands.js';
export {
  computeMetrics,
  crossValidate,
  evaluateSplit,
  evaluateFaq,
  snapshotFromExamples,
  stratifiedFolds,
  type LabeledExample,
  type Prediction,
  type IntentMetrics,
  type EvaluationReport,
  type TimedReport,
  type CrossValidationReport,
  type FaqQuery,
  type FaqEvaluationReport,
  type EvalOptions,
} from './evaluate.js';
export { scoreConversation } from '../../nlp/sentiment.js';
