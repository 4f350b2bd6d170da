import chalk from 'chalk';
import { formatTime } from '../../machine/sim/time';

const COLOURS = [chalk.cyan, chalk.yellow, chalk.magenta, chalk.green, chalk.blue, chalk.red];

/** Prints node console lines prefixed and coloured by node, as `alpha | text`. */
export class ConsolePrinter {
  private width: number;
  constructor(private readonly nodes: string[], private readonly opts: { timestamps: boolean; color: boolean }) {
    this.width = Math.max(...nodes.map((n) => n.length), 1);
  }
  line(node: string, text: string, t: number): void {
    const i = this.nodes.indexOf(node);
    const colour = COLOURS[(i < 0 ? 0 : i) % COLOURS.length]!;
    let prefix = `${node.padEnd(this.width)} | `;
    if (this.opts.timestamps) prefix = `[${formatTime(t).padStart(13)}] ${prefix}`;
    process.stdout.write((this.opts.color ? colour(prefix) : prefix) + text + '\n');
  }
}
