/**
 * `qnxemu guest build [--cache DIR] [--force]`: builds (or finds in the cache) the Linux guest image
 * that guest nodes boot under v86, and prints the paths of its files.
 */
import type { Command } from 'commander';
import type { CliServices } from './commands';
import { ensureGuestImage, GuestBuildError } from '../guest-image';

interface GuestBuildOpts {
  cache?: string;
  force?: boolean;
  progress?: boolean;
}

export function registerGuestCommand(program: Command, services: CliServices): void {
  const guest = program.command('guest').description('Linux guest images for v86 nodes');
  guest
    .command('build')
    .description("build the guest image from Debian's i386 packages (cached; rebuilt only when its inputs change)")
    .option('--cache <dir>', 'cache folder (default $QNXEMU_CACHE or <repo>/.cache/guest)')
    .option('--force', 'rebuild even if the cache has the image')
    .option('--no-progress', 'plain log lines instead of progress bars')
    .action(async (o: GuestBuildOpts) => {
      try {
        const img = await ensureGuestImage({ cacheDir: o.cache, force: !!o.force, progress: o.progress === false ? false : undefined });
        const out = process.stdout;
        out.write(`kernel   ${img.kernel}\n`);
        out.write(`initrd   ${img.initrd}\n`);
        out.write(`bios     ${img.bios}\n`);
        out.write(`vgabios  ${img.vgaBios}\n`);
        out.write(`linux    ${img.kernelVersion}\n`);
        out.write(`modules  ${img.modules.join(' ')}\n`);
        out.write(`key      ${img.cacheKey}\n`);
      } catch (e) {
        if (e instanceof GuestBuildError) {
          process.stderr.write(`${e.message}\n`);
          process.exit(1);
        }
        services.fail(e);
      }
    });
}
