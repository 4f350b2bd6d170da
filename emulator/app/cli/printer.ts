import { formatTime } from '../../machine/sim/time';
import { colourer } from './colour';

const COLOURS = ['cyan', 'yellow', 'magenta', 'green', 'blue', 'red'] as const;

/** Prints node console lines prefixed and coloured by node, as `alpha | text`. */
export class ConsolePrinter {
  private width: number;
  private readonly chalk;
  constructor(private readonly nodes: string[], private readonly opts: { timestamps: boolean; color: boolean }) {
    this.chalk = colourer(opts.color);
    this.width = Math.max(...nodes.map((n) => n.length), 1);
  }
  line(node: string, text: string, t: number): void {
    const i = this.nodes.indexOf(node);
    const colour = this.chalk[COLOURS[(i < 0 ? 0 : i) % COLOURS.length]!];
    let prefix = `${node.padEnd(this.width)} | `;
    if (this.opts.timestamps) prefix = `[${formatTime(t).padStart(13)}] ${prefix}`;
    process.stdout.write((this.opts.color ? colour(prefix) : prefix) + text + '\n');
  }
}
