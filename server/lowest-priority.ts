/**
 * Puts the calling process at the lowest scheduling priority, for the helper processes that do
 * heavy work beside the server (push/send-process.ts, media/image-process.ts). The process must
 * have a session of its own (forked detached): where Linux groups scheduling by session
 * (autogroup, on by default), a nice value alone only ranks the tasks inside one group, so a
 * nice-19 helper in the server's group still spends the server's share and the event loops wait
 * behind other groups' work. Lowering its own group is what lets every event loop go first.
 */
import { writeFileSync } from 'node:fs';
import { setPriority } from 'node:os';

/** nice 19: any runnable event loop goes first. */
const LOWEST_PRIORITY = 19;

export function lowerOwnPriority(): void {
  try {
    setPriority(LOWEST_PRIORITY);
  } catch {
    // Not permitted or not supported here: the work still runs, at normal priority.
  }
  try {
    // This session's scheduling group; absent where autogroup is off or not Linux.
    writeFileSync('/proc/self/autogroup', String(LOWEST_PRIORITY));
  } catch {
    // No autogroup: the nice value above is what counts.
  }
}
