// Hands the one Store to every component through Svelte context (tests mount components with
// their own Store).

import { getContext, setContext } from 'svelte';
import type { Store } from './store.svelte';

/** The context key (tests pass `context: new Map([[STORE_KEY, store]])` to `mount`). */
export const STORE_KEY = Symbol('zerodock-store');

/** Makes `store` available to descendants. */
export function provideStore(store: Store): Store {
  return setContext(STORE_KEY, store);
}

/** The Store an ancestor provided. */
export function useStore(): Store {
  return getContext<Store>(STORE_KEY);
}
