/**
 * The JSON text of a stored object, encoded once per object version.
 * Stored objects are deeply frozen and replaced, never changed, on every
 * write, so the text stays true for as long as the object lives (a WeakMap
 * lets it go with the object). Snapshots, API responses and every watcher
 * of a change share it instead of each encoding the object again: a
 * snapshot re-encodes only the objects written since the last one.
 */
const cache = new WeakMap<object, string>();

export function objectJson(o: object): string {
  let text = cache.get(o);
  if (text === undefined) {
    text = JSON.stringify(o);
    // Only a frozen object is known not to change under its text.
    if (Object.isFrozen(o)) cache.set(o, text);
  }
  return text;
}
