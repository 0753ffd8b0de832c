/**
 * The wire protocol: event types, session configuration, model catalog and validation. One
 * source of truth shared by the client and the simulator.
 */
export * from './clientEvents.js';
export * from './serverEvents.js';
export * from './session.js';
export * from './items.js';
export * from './models.js';
export * from './validateSession.js';
export * from './endpoints.js';
export * from './ids.js';
export * from './tokens.js';
export * from './eventShapes.js';
