/**
 * A character trie with Aho-Corasick failure links: every occurrence of every key in one pass
 * over the text (sensitive words), plus leftmost-longest non-overlapping matching (dictionary
 * replacement, domain terms kept whole in segmentation).
 */

type Node<V> = {
  next: Map<string, Node<V>>;
  fail: Node<V> | null;
  /** value and key length when a key ends here */
  value?: V;
  len?: number;
  /** nearest node on the failure chain (excluding this one) that ends a key */
  out: Node<V> | null;
};

export type TrieMatch<V> = { start: number; end: number; key: string; value: V };

function node<V>(): Node<V> {
  return { next: new Map(), fail: null, out: null };
}

export class Trie<V> {
  private readonly root: Node<V> = node();
  private built = false;
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(key: string, value: V): void {
    if (!key) return;
    let n = this.root;
    const chars = Array.from(key);
    for (const ch of chars) {
      let m = n.next.get(ch);
      if (!m) n.next.set(ch, (m = node()));
      n = m;
    }
    if (n.len === undefined) this.count++;
    n.value = value;
    n.len = key.length; // UTF-16 length, to slice the text
    this.built = false;
  }

  private build(): void {
    const queue: Node<V>[] = [];
    this.root.fail = null;
    for (const child of this.root.next.values()) {
      child.fail = this.root;
      child.out = null;
      queue.push(child);
    }
    for (let i = 0; i < queue.length; i++) {
      const n = queue[i];
      for (const [ch, child] of n.next) {
        let f = n.fail;
        while (f && !f.next.has(ch)) f = f.fail;
        child.fail = f ? f.next.get(ch)! : this.root;
        child.out = child.fail.len !== undefined ? child.fail : child.fail.out;
        queue.push(child);
      }
    }
    this.built = true;
  }

  /** Every occurrence of every key (overlapping), ordered by end position. */
  findAll(text: string): TrieMatch<V>[] {
    if (this.count === 0) return [];
    if (!this.built) this.build();
    const out: TrieMatch<V>[] = [];
    let n = this.root;
    let pos = 0;
    for (const ch of text) {
      pos += ch.length;
      while (n !== this.root && !n.next.has(ch)) n = n.fail!;
      n = n.next.get(ch) ?? this.root;
      for (let m: Node<V> | null = n.len !== undefined ? n : n.out; m; m = m.out) {
        out.push({ start: pos - m.len!, end: pos, key: text.slice(pos - m.len!, pos), value: m.value as V });
      }
    }
    return out;
  }

  /** Leftmost-longest, non-overlapping matches. */
  findLongest(text: string): TrieMatch<V>[] {
    if (this.count === 0) return [];
    const out: TrieMatch<V>[] = [];
    let i = 0;
    while (i < text.length) {
      let n: Node<V> | undefined = this.root;
      let best = -1;
      let bestValue: V | undefined;
      let j = i;
      while (j < text.length) {
        const cp = text.codePointAt(j)!;
        const ch = String.fromCodePoint(cp);
        n = n.next.get(ch);
        if (!n) break;
        j += ch.length;
        if (n.len !== undefined) {
          best = j;
          bestValue = n.value;
        }
      }
      if (best > 0) {
        out.push({ start: i, end: best, key: text.slice(i, best), value: bestValue as V });
        i = best;
      } else {
        i += text.codePointAt(i)! > 0xffff ? 2 : 1;
      }
    }
    return out;
  }

  /** Replaces leftmost-longest matches by their (string) value. */
  replaceAll(text: string): string {
    if (this.count === 0) return text;
    const ms = this.findLongest(text);
    if (ms.length === 0) return text;
    let out = '';
    let last = 0;
    for (const m of ms) {
      out += text.slice(last, m.start) + String(m.value);
      last = m.end;
    }
    return out + text.slice(last);
  }
}
