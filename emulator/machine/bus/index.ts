export * from './types';
export * from './wire';
export * from './node-bus';
