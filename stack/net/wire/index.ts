export * from './view';
export * from './addr';
export * from './checksum';
export * from './ethernet';
export * from './arp';
export * from './ipv4';
export * from './icmp';
export * from './udp';
