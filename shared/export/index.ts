/** Conversation export to Markdown, standalone HTML and versioned JSON (pure, streaming). */
export * from './export-model';
export * from './render-markdown';
export * from './render-html';
export * from './render-json';
