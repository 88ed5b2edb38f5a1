/**
 * Everyday messaging: the control messages (receipts, typing, reply, reactions, edit, recall,
 * profile) and the pure rules that apply them. See docs/protocols.md "Everyday control messages".
 */
export * from './everyday-messages';
export * from './message-record';
export * from './message-rules';
export * from './reactions';
export * from './receipts-typing';
export * from './profile';
