/**
 * Runs the real `meshguard` command as a child process from the repository root,
 * the way a user does. Each run costs about a second here, so tests share runs.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';

export const REPO = join(import.meta.dirname, '../../..');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `meshguard ...args`, with `stdin` written to the child when given. Never rejects. */
export function runCli(args: string[], opts: { stdin?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      cwd: REPO, timeout: opts.timeoutMs ?? 30_000, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' },
    }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
    child.stdin?.end(opts.stdin ?? '');
  });
}
