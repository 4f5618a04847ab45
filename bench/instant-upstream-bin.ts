/** The instant upstream (bench/instant-upstream, Go), built into the tools cache; go's build cache makes a rebuild cheap. */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export function buildInstantUpstream(): string {
  const dir = join(process.env.OLLAMA_LENS_TOOLS ?? join(homedir(), '.cache', 'ollama-lens'), 'bin');
  mkdirSync(dir, { recursive: true });
  const bin = join(dir, 'instant-upstream');
  execFileSync('go', ['build', '-o', bin, '.'], {
    cwd: join(__dirname, 'instant-upstream'),
    stdio: 'inherit',
  });
  return bin;
}
