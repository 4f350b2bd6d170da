/**
 * The IEEE 802.3 clause 4 MAC (deference, backoff, retry, duplex) that NIC models build on. It lives with the
 * media in emulator/machine/net/csma-mac.ts because a switch port running half duplex uses the same MAC;
 * chip models take it from here.
 */
export * from '../../emulator/machine/net/csma-mac';
