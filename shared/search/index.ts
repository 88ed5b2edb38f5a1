/** Local search: folding, index tokens, query lookups, matching, snippets and ranking. */
export * from './fold';
export * from './search-index';
export * from './search-match';
