/** Runs a pure machine's events in order from `state`; returns the last state and every effect. */
export function runSteps<S, E, F>(step: (s: S, e: E) => { state: S; effects: F[] }, state: S, events: readonly E[]): { state: S; effects: F[] } {
  const effects: F[] = [];
  for (const e of events) {
    const r = step(state, e);
    state = r.state;
    effects.push(...r.effects);
  }
  return { state, effects };
}
