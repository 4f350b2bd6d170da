/**
 * IEEE 802.3x PAUSE (MAC Control, annex 31B) helpers for chip models: building and parsing PAUSE frames and the
 * pause timer a transmitter honours. They live with the media in emulator/machine/net/mac-control.ts because a
 * switch port sends and honours PAUSE too.
 */
export * from '../../emulator/machine/net/mac-control';
