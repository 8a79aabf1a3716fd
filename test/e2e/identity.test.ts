/**
 * One person, many devices, in real Chromium: a handle (and a taken one), a passkey registered on one
 * phone and used on a fresh one (CDP's virtual authenticator, its credential copied across), a device
 * linked by code and by link, a passkey removed, and another device signed out from the devices list.
 * Pages use http://localhost: WebAuthn needs a secure context and a domain (not an IP) as relying party.
 */
import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { axeViolations } from './support/axe';
import { join, launchBrowser, messageWith, phoneContext, send, waitForOnline } from './support/browser';
import { storedSession } from './support/device';
import { screenshotLightAndDark } from './support/screens';
import { useServer } from './support/server-fixture';

/** Each story opens up to five browser contexts: on a loaded 2-core machine that outlasts the default minute. */
const E2E_TIMEOUT_MS = 150_000;

const localhost = (url: string) => url.replace('127.0.0.1', 'localhost');
const profile = (page: Page) => page.getByRole('dialog', { name: 'Your profile' });

async function openProfile(page: Page): Promise<void> {
  await page.getByRole('button', { name: /Your profile/ }).click();
  await profile(page).getByRole('heading', { name: 'Signed-in devices' }).waitFor();
}

/** A platform authenticator with user verification, as a phone's screen lock is. */
async function virtualAuthenticator(context: BrowserContext, page: Page): Promise<{ cdp: CDPSession; authenticatorId: string }> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
  });
  return { cdp, authenticatorId };
}

/** The same passkeys on another device's authenticator (a synced passkey manager does this for real). */
async function copyPasskeys(
  from: { cdp: CDPSession; authenticatorId: string },
  to: { cdp: CDPSession; authenticatorId: string },
): Promise<number> {
  const { credentials } = await from.cdp.send('WebAuthn.getCredentials', { authenticatorId: from.authenticatorId });
  for (const credential of credentials) await to.cdp.send('WebAuthn.addCredential', { authenticatorId: to.authenticatorId, credential });
  return credentials.length;
}

/** A browser whose inputs never offer passkeys (autofill unsupported): only the button signs in. */
async function withoutPasskeyAutofill(page: Page): Promise<void> {
  await page.addInitScript(() => {
    PublicKeyCredential.isConditionalMediationAvailable = () => Promise.resolve(false);
  });
}

async function freshPhone(url: string, colorScheme: 'light' | 'dark' = 'light') {
  const browser = await launchBrowser();
  const context = await phoneContext(browser, { baseURL: localhost(url), colorScheme });
  return { browser, context, page: await context.newPage() };
}

describe('one person, many devices', () => {
  const server = useServer();

  it(
    'claims a handle, refuses a taken one in words, and shows handles beside a shared name',
    async () => {
      const { browser, page: ann } = await freshPhone(server().url);
      const otherContext = await phoneContext(browser, { baseURL: localhost(server().url), colorScheme: 'dark' });
      const other = await otherContext.newPage();
      await join(ann, 'Ann');
      await join(other, 'Ann');

      await openProfile(ann);
      await screenshotLightAndDark(ann, 'identity-profile-sheet');
      const handle = profile(ann).getByRole('textbox', { name: 'Handle' });
      await handle.fill('a b');
      await profile(ann).getByRole('alert').filter({ hasText: 'Only letters a–z, digits and _' }).waitFor();
      await handle.fill('@Ann_K');
      await profile(ann).getByRole('button', { name: 'Claim handle' }).click();
      await profile(ann).getByText('Your handle is now @ann_k.').waitFor();
      expect((await storedSession(ann)).user.handle).toBe('ann_k');
      expect(await axeViolations(ann)).toEqual([]);

      // The same handle in any case is taken; a reserved word is refused as such.
      await openProfile(other);
      const otherHandle = profile(other).getByRole('textbox', { name: 'Handle' });
      await otherHandle.fill('ANN_K');
      await profile(other).getByRole('button', { name: 'Claim handle' }).click();
      await profile(other).getByRole('alert').filter({ hasText: '@ann_k is already taken. Pick another handle.' }).waitFor();
      expect(await otherHandle.getAttribute('aria-invalid')).toBe('true');
      await screenshotLightAndDark(other, 'identity-handle-taken');
      await otherHandle.fill('admin');
      await profile(other).getByRole('button', { name: 'Claim handle' }).click();
      await profile(other).getByRole('alert').filter({ hasText: '@admin is reserved. Pick another handle.' }).waitFor();
      await otherHandle.fill('ann_b');
      await profile(other).getByRole('button', { name: 'Claim handle' }).click();
      await profile(other).getByText('Your handle is now @ann_b.').waitFor();
      await profile(other).getByRole('button', { name: 'Close' }).click();
      await profile(ann).getByRole('button', { name: 'Close' }).click();

      // Two Anns in one room: each message shows its author's handle.
      await send(ann, 'hello from Ann K');
      await send(other, 'hello from Ann B');
      await messageWith(ann, 'hello from Ann B').waitFor();
      await expect.poll(() => messageWith(ann, 'hello from Ann B').locator('.handle').textContent()).toBe('@ann_b');
      expect(await messageWith(ann, 'hello from Ann K').locator('.handle').textContent()).toBe('@ann_k');
      // And the people sheet: the other Ann shares our name, so she is listed with her handle.
      await ann.getByRole('button', { name: /People/ }).click();
      const people = ann.getByRole('list', { name: 'Online' }).getByRole('button');
      await expect.poll(() => people.filter({ hasText: '@ann_b' }).count()).toBe(1);
    },
    E2E_TIMEOUT_MS,
  );

  it(
    'registers a passkey, signs in with it on a fresh device with the same name and history, and refuses it once removed',
    async () => {
      const { browser, context, page: phone } = await freshPhone(server().url);
      const phoneKeys = await virtualAuthenticator(context, phone);
      await join(phone, 'Priya');
      await send(phone, 'written on the phone');

      await openProfile(phone);
      await profile(phone).getByRole('heading', { name: 'Secure your account with a passkey' }).waitFor();
      await profile(phone).getByRole('button', { name: 'Add a passkey' }).click();
      await profile(phone).getByText('Passkey saved.').waitFor();
      const passkeys = profile(phone).getByRole('list', { name: 'Your passkeys' }).getByRole('listitem');
      await expect.poll(() => passkeys.count()).toBe(1);
      expect(await passkeys.first().textContent()).toContain('Added');
      await profile(phone).getByRole('heading', { name: 'Passkeys' }).scrollIntoViewIfNeeded();
      await screenshotLightAndDark(phone, 'identity-passkey-list');
      expect(await axeViolations(phone)).toEqual([]);

      // A fresh device: the choices first, then the passkey, with the button (this browser has no passkey autofill).
      const laptopContext = await phoneContext(browser, { baseURL: localhost(server().url) });
      const laptop = await laptopContext.newPage();
      await withoutPasskeyAutofill(laptop);
      const laptopKeys = await virtualAuthenticator(laptopContext, laptop);
      expect(await copyPasskeys(phoneKeys, laptopKeys)).toBe(1);
      await laptop.goto('/');
      expect(await laptop.getByRole('textbox', { name: 'Name' }).getAttribute('autocomplete')).toBe('username webauthn');
      await screenshotLightAndDark(laptop, 'identity-join-choices');
      expect(await axeViolations(laptop)).toEqual([]);
      await laptop.getByRole('button', { name: 'Sign in with a passkey' }).click();
      await waitForOnline(laptop);
      await messageWith(laptop, 'written on the phone').waitFor();
      expect(await laptop.getByRole('button', { name: /Your profile/ }).textContent()).toContain('Priya');
      expect((await storedSession(laptop)).user.id).toBe((await storedSession(phone)).user.id);
      // Both devices are one person: what one sends, the other shows as its own.
      await send(laptop, 'written on the laptop');
      await messageWith(phone, 'written on the laptop').waitFor();

      // Where the browser offers passkeys in the name input's autofill, picking it signs in (the virtual
      // authenticator picks at once); nobody pressed a button.
      const tvContext = await phoneContext(browser, { baseURL: localhost(server().url) });
      const tv = await tvContext.newPage();
      // From the laptop's authenticator: it holds the passkey's latest signature counter, as a synced passkey would.
      await copyPasskeys(laptopKeys, await virtualAuthenticator(tvContext, tv));
      await tv.goto('/');
      await waitForOnline(tv);
      expect(await tv.getByRole('button', { name: /Your profile/ }).textContent()).toContain('Priya');

      // Removed on the phone, the passkey no longer signs anyone in.
      await passkeys
        .first()
        .getByRole('button', { name: /Remove passkey/ })
        .click();
      const confirm = phone.getByRole('alertdialog', { name: 'Remove this passkey?' });
      await confirm.getByRole('button', { name: 'Remove passkey' }).click();
      await expect.poll(() => passkeys.count()).toBe(0);
      await profile(phone).getByRole('heading', { name: 'Secure your account with a passkey' }).waitFor();

      const tabletContext = await phoneContext(browser, { baseURL: localhost(server().url) });
      const tablet = await tabletContext.newPage();
      await withoutPasskeyAutofill(tablet);
      await copyPasskeys(phoneKeys, await virtualAuthenticator(tabletContext, tablet));
      await tablet.goto('/');
      await tablet.getByRole('button', { name: 'Sign in with a passkey' }).click();
      await tablet.getByRole('alert').filter({ hasText: 'This passkey isn’t registered here' }).waitFor();
      await tablet.getByRole('textbox', { name: 'Name' }).waitFor();
    },
    E2E_TIMEOUT_MS,
  );

  it(
    'links a device with a code and with the link, each seeing the same rooms',
    async () => {
      const { browser, page: laptop } = await freshPhone(server().url);
      await join(laptop, 'Lena');
      await laptop.getByRole('button', { name: 'Add room' }).click();
      await laptop.getByRole('textbox', { name: 'Room', exact: true }).fill('books');
      await laptop.getByRole('button', { name: 'Join room' }).click();
      await expect.poll(() => laptop.getByRole('heading', { level: 1 }).textContent()).toBe('# books');
      await send(laptop, 'in books');

      await openProfile(laptop);
      await profile(laptop).getByRole('button', { name: 'Add a device' }).click();
      const code = (await profile(laptop).locator('.link-code [aria-hidden]').textContent()) ?? '';
      expect(code).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/);
      await profile(laptop).getByRole('img', { name: 'QR code of a one-time sign-in link' }).waitFor();
      expect(
        await profile(laptop)
          .getByText(/Expires in [45]:\d\d · works once/)
          .count(),
      ).toBe(1);
      // The code's heading has the focus: a screen reader lands on what the person came for.
      expect(await laptop.evaluate(() => document.activeElement?.textContent)).toContain('Scan with the other device');
      await screenshotLightAndDark(laptop, 'identity-add-device');
      expect(await axeViolations(laptop)).toEqual([]);

      const phoneContextA = await phoneContext(browser, { baseURL: localhost(server().url), colorScheme: 'dark' });
      const phone = await phoneContextA.newPage();
      await phone.goto('/');
      await phone.getByRole('button', { name: 'I have a code' }).click();
      await phone.getByRole('textbox', { name: 'Code from your other device' }).fill(code.toLowerCase());
      await phone.getByRole('button', { name: 'Sign in with code' }).click();
      await waitForOnline(phone);
      await phone.getByRole('navigation', { name: 'Rooms' }).getByRole('button', { name: /books/ }).click();
      await messageWith(phone, 'in books').waitFor();

      // Used once, the same code signs nobody else in.
      const again = await (await phoneContext(browser, { baseURL: localhost(server().url) })).newPage();
      await again.goto('/');
      await again.getByRole('button', { name: 'I have a code' }).click();
      await again.getByRole('textbox', { name: 'Code from your other device' }).fill(code);
      await again.getByRole('button', { name: 'Sign in with code' }).click();
      await again.getByRole('alert').filter({ hasText: 'make a new one on your other device' }).waitFor();
      expect(await again.getByRole('textbox', { name: 'Code from your other device' }).getAttribute('aria-invalid')).toBe('true');
      await screenshotLightAndDark(again, 'identity-code-refused');
      expect(await axeViolations(again)).toEqual([]);

      // A new code, opened as the QR code's link: signed in, and the code gone from the address bar.
      await profile(laptop).getByRole('button', { name: 'Done' }).click();
      await profile(laptop).getByRole('button', { name: 'Add a device' }).click();
      const link = await profile(laptop).getByRole('img', { name: 'QR code of a one-time sign-in link' }).getAttribute('src');
      expect(link).toMatch(/^data:image\/svg\+xml/);
      const secondCode = (await profile(laptop).locator('.link-code [aria-hidden]').textContent()) ?? '';
      const tablet = await (await phoneContext(browser, { baseURL: localhost(server().url) })).newPage();
      await tablet.goto(`/#link=${secondCode}`);
      await waitForOnline(tablet);
      expect(new URL(tablet.url()).hash).toBe('');
      await tablet.getByRole('navigation', { name: 'Rooms' }).getByRole('button', { name: /books/ }).waitFor();
      expect(await tablet.getByRole('button', { name: /Your profile/ }).textContent()).toContain('Lena');
    },
    E2E_TIMEOUT_MS,
  );

  it(
    'lists the devices, marks this one, and signs another one out',
    async () => {
      const { browser, page: laptop } = await freshPhone(server().url);
      await join(laptop, 'Omar');
      await send(laptop, 'before the phone');
      await openProfile(laptop);
      // Passkeys are known when the sections appear: nothing arrives later to push "Add a device" from under the tap.
      expect(
        await profile(laptop)
          .getByText(/No passkey yet/)
          .isVisible(),
      ).toBe(true);
      await profile(laptop).getByRole('button', { name: 'Add a device' }).click();
      const code = (await profile(laptop).locator('.link-code [aria-hidden]').textContent()) ?? '';
      const phone = await (await phoneContext(browser, { baseURL: localhost(server().url) })).newPage();
      await phone.goto(`/#link=${code}`);
      await waitForOnline(phone);
      await messageWith(phone, 'before the phone').waitFor();

      // Reopened, the list holds both devices, this one marked.
      await profile(laptop).getByRole('button', { name: 'Close' }).click();
      await openProfile(laptop);
      const devices = profile(laptop).getByRole('list', { name: 'Signed-in devices' }).getByRole('listitem');
      await expect.poll(() => devices.count()).toBe(2);
      expect(await devices.filter({ hasText: 'This device' }).count()).toBe(1);
      await profile(laptop).getByRole('heading', { name: 'Signed-in devices' }).scrollIntoViewIfNeeded();
      await screenshotLightAndDark(laptop, 'identity-devices');
      expect(await axeViolations(laptop)).toEqual([]);

      await devices.getByRole('button', { name: /Sign out device/ }).click();
      await laptop.getByRole('alertdialog', { name: 'Sign out this device?' }).getByRole('button', { name: 'Sign out device' }).click();
      await expect.poll(() => devices.count()).toBe(1);
      await phone.getByRole('alert').filter({ hasText: 'Your session has ended' }).waitFor({ timeout: 15_000 });
      await phone.getByRole('textbox', { name: 'Name' }).waitFor();
      expect(await laptop.getByRole('status').filter({ hasText: 'Online' }).count()).toBe(1);
    },
    E2E_TIMEOUT_MS,
  );
});
