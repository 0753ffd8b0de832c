/**
 * Loads a worklet module once per AudioContext: from `url` when given (for pages whose Content
 * Security Policy forbids `blob:` scripts — serve the source text as a file), otherwise from a
 * Blob URL made from the source text.
 */

const loaded = new WeakMap<BaseAudioContext, Map<string, Promise<void>>>();

/** Adds the module `name` (source `source`, or `url`) to `context`'s audio worklet, once. */
export function loadWorklet(context: BaseAudioContext, name: string, source: string, url?: string): Promise<void> {
  let modules = loaded.get(context);
  if (!modules) loaded.set(context, (modules = new Map()));
  const existing = modules.get(name);
  if (existing) return existing;
  const promise = (async () => {
    if (url !== undefined) {
      await context.audioWorklet.addModule(url);
      return;
    }
    const blobUrl = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
    try {
      await context.audioWorklet.addModule(blobUrl);
    } finally {
      URL.revokeObjectURL(blobUrl);
    }
  })();
  modules.set(name, promise);
  promise.catch(() => modules.delete(name));
  return promise;
}
