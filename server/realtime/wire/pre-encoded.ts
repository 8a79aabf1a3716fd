/**
 * Socket.IO packets built around a payload that is already JSON (a catch-up page
 * the database wrote as JSON), so it is sent without being parsed and encoded again.
 */

/**
 * An EVENT packet of the main namespace without an ack id, exactly as
 * socket.io-parser encodes `socket.emit(event, payload)`: `2["event",payload]`
 * (test/server/pre-encoded.test.ts holds it to the parser).
 */
export function encodedEvent(event: string, jsonPayload: string): string {
  return `2[${JSON.stringify(event)},${jsonPayload}]`;
}
