export * from './types';
export * from './wire';
export * from './node-bus';
export * from './timing';
export * from './pc-platform';
export * from './pci-header';
export * from './register-table';
