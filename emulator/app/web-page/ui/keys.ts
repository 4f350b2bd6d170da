/**
 * The page's keyboard: which key runs which control. Kept as data so the help overlay lists exactly the keys
 * the handler knows, and a test can check both.
 */
export type KeyAction = 'step' | 'back' | 'next' | 'continue' | 'play' | 'restart' | 'help' | 'close';

export interface KeyBinding {
  keys: string[];
  action: KeyAction;
  what: string;
}

export const KEY_BINDINGS: readonly KeyBinding[] = [
  { keys: ['s', 'ArrowRight'], action: 'step', what: 'step one event' },
  { keys: ['b', 'ArrowLeft'], action: 'back', what: 'step back one event (replays the run)' },
  { keys: ['n'], action: 'next', what: "next: follow the packet to its next hop" },
  { keys: ['c'], action: 'continue', what: 'continue to the next breakpoint or the end' },
  { keys: [' '], action: 'play', what: 'play / pause (steps until a breakpoint or the end)' },
  { keys: ['r'], action: 'restart', what: 'restart from power-on' },
  { keys: ['?'], action: 'help', what: 'show / hide this help' },
  { keys: ['Escape'], action: 'close', what: 'close the help' },
];

/** The key's name as the help shows it. */
export function keyLabel(key: string): string {
  if (key === ' ') return 'space';
  if (key === 'ArrowRight') return '→';
  if (key === 'ArrowLeft') return '←';
  if (key === 'Escape') return 'Esc';
  return key;
}

/** The action for a key event, or null: none for modified keys or while typing in a field. */
export function actionFor(ev: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey' | 'target'>): KeyAction | null {
  if (ev.ctrlKey || ev.metaKey || ev.altKey) return null;
  const t = ev.target as { tagName?: string; isContentEditable?: boolean } | null;
  const tag = t?.tagName?.toLowerCase();
  if (tag === 'input' || tag === 'textarea' || tag === 'select' || t?.isContentEditable) return null;
  // Space on a focused button already clicks it: leave it to the button.
  if (ev.key === ' ' && tag === 'button') return null;
  return KEY_BINDINGS.find((b) => b.keys.includes(ev.key))?.action ?? null;
}
