/** The loopback push service (test/support/fake-push-service.ts) as a per-file fixture: kept out of that module, which the bench's push sink loads without vitest. */
import { afterAll, beforeAll } from 'vitest';
import { startFakePushService, type FakePushService } from '../../support/fake-push-service';

/** One fake push service for a test file: started before its tests, closed after them. Call the returned function inside a test (or a server's options) to get it. */
export function useFakePushService(): () => FakePushService {
  let fake: FakePushService | undefined;
  beforeAll(async () => {
    fake = await startFakePushService();
  });
  afterAll(async () => {
    await fake?.close();
  });
  return () => {
    if (!fake) throw new Error('the fake push service did not start');
    return fake;
  };
}
