/** Link impairments (issue 18): the configuration type, the engine, its validation. */
export * from './config';
export { Impairments, IMPAIRMENTS_STATE, type ImpairmentsState, type PortImpairmentState } from './impairments';
export { packetTimeNs, type ImpairCounters } from './port-impairment';
export { impairProblem } from './validate';
