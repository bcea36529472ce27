/**
 * Gathers the keys asked for within one turn of the event loop and loads them together: the
 * messages a sync chunk emits at once cost one query instead of one each, and a key asked for
 * alone waits only until the end of the current turn.
 */
export function batchLoader<T>(load: (keys: string[]) => Promise<Map<string, T>>): (key: string) => Promise<T | undefined> {
  let open: { keys: Set<string>; result: Promise<Map<string, T>> } | null = null;
  return (key) => {
    if (!open) {
      const batch: { keys: Set<string>; result: Promise<Map<string, T>> } = { keys: new Set(), result: Promise.resolve(new Map()) };
      batch.result = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
        // later keys start the next batch
        if (open === batch) open = null;
        return load([...batch.keys]);
      });
      open = batch;
    }
    open.keys.add(key);
    return open.result.then((found) => found.get(key));
  };
}
