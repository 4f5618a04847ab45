import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface SmallDisk {
  dir: string;
  /** Fills every free byte of the file system (a real ENOSPC for whatever writes next). */
  fill(): void;
  /** Gives the space back. */
  free(): void;
  unmount(): void;
}

/**
 * A real, small file system (tmpfs, mounted as root, which tests and CI run as) so a "full disk" is
 * the kernel's ENOSPC, not a simulation.
 */
export function smallDisk(sizeMb: number): SmallDisk {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ollama-lens-disk-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m`, 'tmpfs', dir]);
  const filler = path.join(dir, 'filler');
  return {
    dir,
    fill() {
      const fd = fs.openSync(filler, 'a');
      const block = Buffer.alloc(64 * 1024, 1);
      try {
        for (;;) fs.writeSync(fd, block);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
        // The last partial block: fill to the byte.
        for (let n = 32 * 1024; n >= 1; n = Math.floor(n / 2)) {
          try {
            for (;;) fs.writeSync(fd, block.subarray(0, n));
          } catch {
            // next smaller size
          }
        }
      } finally {
        fs.closeSync(fd);
      }
    },
    free() {
      fs.rmSync(filler, { force: true });
    },
    unmount() {
      execFileSync('umount', ['-l', dir]);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
