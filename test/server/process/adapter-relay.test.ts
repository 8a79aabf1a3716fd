/** The primary's relay of cluster-adapter messages speaks the library's own values. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { MessageType } from 'socket.io-adapter';
import { describe, expect, it } from 'vitest';
import { ADAPTER_MESSAGE_SOURCE, ADAPTER_RESPONSE_TYPES } from '../../../server/process/adapter-relay';

describe('adapter relay', () => {
  it("sends responses to their requester only, by socket.io-adapter's message types", () => {
    expect([...ADAPTER_RESPONSE_TYPES].sort()).toEqual([MessageType.FETCH_SOCKETS_RESPONSE, MessageType.SERVER_SIDE_EMIT_RESPONSE].sort());
  });

  it('recognises the messages @socket.io/cluster-adapter sends by their source', () => {
    const source = readFileSync(createRequire(import.meta.url).resolve('@socket.io/cluster-adapter'), 'utf8');
    expect(source).toContain(`const MESSAGE_SOURCE = "${ADAPTER_MESSAGE_SOURCE}";`);
  });
});
