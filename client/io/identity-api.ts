/**
 * The identity extensions over HTTP (handle, signed-in devices, passkeys, device links), apart from
 * api.ts: only the profile sheet and the sign-in screen call them, and both load on demand, so these
 * calls stay out of the app shell.
 */
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/browser';
import type { DeviceLink, DeviceSession, PasskeyInfo, SessionCreated, User } from '../../shared/protocol';
import { api, options, refusal } from './api';

/** Extension `PUT /api/me/handle`: claims (or changes) our @handle; a taken or reserved one is a 409. */
export async function claimHandle(token: string, handle: string): Promise<User> {
  const response = await api.me.handle.$put({ json: { handle } }, options(token));
  if (!response.ok) throw await refusal(response);
  return (await response.json()).user;
}

/** Extension `GET /api/sessions`: every signed-in device of the account, this one marked `current`. */
export async function fetchSessions(token: string): Promise<DeviceSession[]> {
  const response = await api.sessions.$get({}, options(token));
  if (!response.ok) throw await refusal(response);
  return (await response.json()).sessions;
}

/** Extension `DELETE /api/sessions/:id`: signs another device of the account out. */
export async function endOtherSession(token: string, id: string): Promise<void> {
  const response = await api.sessions[':id'].$delete({ param: { id } }, options(token));
  if (!response.ok) throw await refusal(response);
}

/** Extension `GET /api/passkeys`. */
export async function fetchPasskeys(token: string): Promise<PasskeyInfo[]> {
  const response = await api.passkeys.$get({}, options(token));
  if (!response.ok) throw await refusal(response);
  return (await response.json()).passkeys;
}

/** Extension `DELETE /api/passkeys/:id`. */
export async function removePasskey(token: string, id: string): Promise<void> {
  const response = await api.passkeys[':id'].$delete({ param: { id } }, options(token));
  if (!response.ok) throw await refusal(response);
}

/** The DOM's extension-outputs interface as the plain object the schema's loose object types it as (same JSON). */
function withPlainExtensions<T extends { clientExtensionResults: object }>(
  answer: T,
): T & { clientExtensionResults: Record<string, unknown> } {
  const extensions: Record<string, unknown> = { ...answer.clientExtensionResults };
  return { ...answer, clientExtensionResults: extensions };
}

/** Extension `POST /api/passkeys/register/options`: WebAuthn creation options for the signed-in account. */
export async function passkeyRegistrationOptions(token: string): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const response = await api.passkeys.register.options.$post({}, options(token));
  if (!response.ok) throw await refusal(response);
  return (await response.json()) as PublicKeyCredentialCreationOptionsJSON;
}

/** Extension `POST /api/passkeys/register/verify`: the authenticator's answer; the server keeps the public key. */
export async function verifyPasskeyRegistration(token: string, answer: RegistrationResponseJSON): Promise<PasskeyInfo> {
  const response = await api.passkeys.register.verify.$post({ json: withPlainExtensions(answer) }, options(token));
  if (!response.ok) throw await refusal(response);
  return (await response.json()).passkey;
}

/** Extension `POST /api/passkeys/login/options` (no token): a challenge any of this site's passkeys may answer. */
export async function passkeyLoginOptions(): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const response = await api.passkeys.login.options.$post({}, options(undefined));
  if (!response.ok) throw await refusal(response);
  return (await response.json()) as PublicKeyCredentialRequestOptionsJSON;
}

/** Extension `POST /api/passkeys/login/verify` (no token): a new session for the passkey's account. */
export async function verifyPasskeyLogin(answer: AuthenticationResponseJSON): Promise<SessionCreated> {
  const response = await api.passkeys.login.verify.$post({ json: withPlainExtensions(answer) }, options(undefined));
  if (!response.ok) throw await refusal(response);
  return response.json();
}

/** Extension `POST /api/devices/link`: a one-time code (and a link holding it) for another device. */
export async function createDeviceLink(token: string): Promise<DeviceLink> {
  const response = await api.devices.link.$post({}, options(token));
  if (!response.ok) throw await refusal(response);
  return response.json();
}

/** Extension `POST /api/devices/redeem` (no token): a code from a signed-in device becomes this device's session. */
export async function redeemDeviceLink(code: string): Promise<SessionCreated> {
  const response = await api.devices.redeem.$post({ json: { code } }, options(undefined));
  if (!response.ok) throw await refusal(response);
  return response.json();
}
