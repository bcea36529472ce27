/**
 * Fits the FAQ re-ranker's weights (RANKER in retrieval.ts) on paraphrase data:
 *
 *   node --import tsx server/src/bot/engine/fit-ranker.ts faq.csv queries.csv
 *
 * (the eval CLI's files, read by eval-files.ts: id,question and query,expected_id). For every
 * query whose FAQ is among the re-ranked candidates, the loss is the softmax cross-entropy of the
 * right phrasing among the candidates, with sim/τ as logits (listwise, τ = 0.05); the weights a_k
 * are a softmax of free parameters (so they stay positive and sum to 1), the negation and topic
 * discounts logistics.
 * Plain gradient descent on numerical gradients: ten parameters, a few hundred queries.
 * Prints the weights as JSON. The data used for the shipped weights: eval-data.ts (ATEC, rows
 * 2,721–5,392), never the rows the evaluation reports.
 */
import { readFaqs, readQueries } from './eval-files.js';
import { EMPTY_DICTIONARIES, TextPipeline } from './model.js';
import { FaqRetriever, rankerScore, SIMILARITY_NAMES, type RankerWeights } from './retrieval.js';

const TAU = 0.05;

type Group = { S: number[][]; neg: boolean[]; topic: boolean[]; pos: number };

function groups(faqFile: string, queryFile: string): Group[] {
  const faqs = readFaqs(faqFile);
  const queries = readQueries(queryFile);
  const pipeline = new TextPipeline(EMPTY_DICTIONARIES);
  const retriever = new FaqRetriever(faqs, (t) => pipeline.tokenize(t));
  const out: Group[] = [];
  for (const q of queries) {
    const g: Group = { S: [], neg: [], topic: [], pos: -1 };
    retriever.candidates(pipeline.tokenize(q.query), (_d, f, s, neg, topic) => {
      if (faqs[f].id === q.expected_id && g.pos < 0) g.pos = g.S.length;
      g.S.push([...s]);
      g.neg.push(neg);
      g.topic.push(topic);
    });
    if (g.pos >= 0) out.push(g);
  }
  return out;
}

function weightsOf(theta: readonly number[]): RankerWeights {
  const K = SIMILARITY_NAMES.length;
  const e = theta.slice(0, K).map(Math.exp);
  const z = e.reduce((a, b) => a + b, 0);
  const a = Object.fromEntries(SIMILARITY_NAMES.map((k, i) => [k, e[i] / z])) as RankerWeights['a'];
  return { a, negation: 1 / (1 + Math.exp(-theta[K])), topic: 1 / (1 + Math.exp(-theta[K + 1])) };
}

function loss(G: Group[], theta: readonly number[]): number {
  const r = weightsOf(theta);
  const w = SIMILARITY_NAMES.map((k) => r.a[k]);
  let L = 0;
  for (const g of G) {
    const z = g.S.map((s, i) => rankerScore(r, w, s, g.neg[i], g.topic[i]) / TAU);
    const m = Math.max(...z);
    L += Math.log(z.reduce((acc, v) => acc + Math.exp(v - m), 0)) + m - z[g.pos];
  }
  return L / G.length;
}

function main(): void {
  const [faqFile, queryFile] = process.argv.slice(2);
  if (!faqFile || !queryFile) throw new Error('usage: fit-ranker.ts faq.csv queries.csv');
  const G = groups(faqFile, queryFile);
  let theta = [...SIMILARITY_NAMES.map(() => 0), -2, -2];
  const h = 1e-4;
  for (let it = 0; it < 1000; it++) {
    const base = loss(G, theta);
    const grad = theta.map((_, k) => {
      const t = [...theta];
      t[k] += h;
      return (loss(G, t) - base) / h;
    });
    theta = theta.map((v, k) => v - 0.5 * grad[k]);
  }
  const w = weightsOf(theta);
  const round = (x: number) => Math.round(x * 100) / 100;
  process.stdout.write(JSON.stringify({ queries: G.length, loss: round(loss(G, theta)), a: Object.fromEntries(Object.entries(w.a).map(([k, v]) => [k, round(v)])), negation: round(w.negation), topic: round(w.topic) }) + '\n');
}

main();
