/**
 * Starts one of bench/baselines' single-file servers (the file copy, the null PWA) on a free
 * loopback port, with nothing of the bench's environment but PATH, and waits until it answers.
 */
import { spawn } from 'node:child_process';
import { freePort, killGroup } from '../test/support/process';

export type BaselineProcess = { url: string; stop(): Promise<void> };

export async function startBaseline(script: string, env: Record<string, string> = {}): Promise<BaselineProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [script], {
    env: { PATH: process.env.PATH ?? '', PORT: String(port), HOST: '127.0.0.1', ...env },
    detached: true,
    stdio: 'ignore',
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  for (let tries = 0; ; tries++) {
    try {
      if ((await fetch(url)).ok) break;
    } catch {
      if (tries > 200) throw new Error(`${script} did not start`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
  return {
    url,
    async stop() {
      killGroup(child, 'SIGKILL');
      await exited;
    },
  };
}
