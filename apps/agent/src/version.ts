/** Kumo's version, as the agent reports it to peers and browsers. */
export const VERSION = '0.1.0';
