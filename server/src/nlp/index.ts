/** Chinese text processing shared by the bot, the knowledge platform and analytics. */
export { Normalizer, DEFAULT_DIALECT, baseNormalize, normalizeKey, toSimplified, type Normalized, type NormalizerDictionaries } from './normalize.js';
export { Segmenter } from './segment.js';
export { scoreMessage, scoreConversation } from './sentiment.js';
export { SensitiveMatcher } from './sensitive.js';
export { Trie, type TrieMatch } from './trie.js';
