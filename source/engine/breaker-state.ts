/** The circuit breaker's three states: a leaf, so fault records and the snapshot can both name it. */
export type BreakerState = 'closed' | 'open' | 'half-open';
