/**
 * The people sheet in a crowd: with more people online than CHAT_PRESENCE_LIST_LIMIT (2 here,
 * so three phones make a crowd) the PWA is told how many, not who; the sheet asks for names and
 * searches them, and a name still opens a private conversation.
 */
import { describe, expect, it } from 'vitest';
import { axeViolations } from './support/axe';
import { join, launchBrowser, phoneContext, screenshot } from './support/browser';
import { useServer } from './support/server-fixture';

describe('people online in a crowd', () => {
  const server = useServer({ env: { CHAT_PRESENCE_LIST_LIMIT: '2' } });

  it('counts the crowd, lists and searches names on request, and opens a DM from the result', async () => {
    const browser = await launchBrowser();
    const pages = await Promise.all(
      ['light', 'dark', 'light'].map(async (colorScheme) =>
        (await phoneContext(browser, { baseURL: server().url, colorScheme: colorScheme as 'light' | 'dark' })).newPage(),
      ),
    );
    const [ann, bob, cleo] = pages;
    await join(ann, 'Ann');
    await join(bob, 'Bob');
    await join(cleo, 'Cleo');

    // Three online against a limit of two: Ann's count comes from presence:count, not a list.
    const peopleButton = ann.getByRole('button', { name: /^People/ });
    await expect.poll(() => peopleButton.textContent(), { timeout: 15_000 }).toContain('2');
    await peopleButton.click();
    const sheet = ann.getByRole('dialog', { name: 'People online' });
    await sheet.waitFor();
    await expect.poll(() => sheet.textContent()).toContain('2 others online');
    await sheet.getByRole('button', { name: 'Bob' }).waitFor();
    await sheet.getByRole('button', { name: 'Cleo' }).waitFor();
    await screenshot(ann, 'presence-crowd-light-list');
    expect(await axeViolations(ann)).toEqual([]);

    // Searching narrows the names to the matches, and says so when none match.
    const search = sheet.getByRole('searchbox', { name: 'Search people online' });
    await search.fill('cle');
    await expect.poll(() => sheet.getByRole('button', { name: 'Bob' }).count()).toBe(0);
    await sheet.getByRole('button', { name: 'Cleo' }).waitFor();
    await search.fill('zed');
    await expect.poll(() => sheet.textContent()).toContain('Nobody online matches “zed”');
    await screenshot(ann, 'presence-crowd-light-no-match');

    // A name from the crowd's list opens a private conversation like any other.
    await search.fill('bob');
    await sheet.getByRole('button', { name: 'Bob' }).click();
    await expect.poll(() => ann.getByRole('heading', { level: 1 }).textContent()).toBe('@ Bob');

    // Bob's phone, dark: the same count on his People button.
    await expect.poll(() => bob.getByRole('button', { name: /^People/ }).textContent()).toContain('2');
    await bob.getByRole('button', { name: /^People/ }).click();
    await bob.getByRole('dialog', { name: 'People online' }).getByRole('button', { name: 'Ann' }).waitFor();
    await screenshot(bob, 'presence-crowd-dark-list');
  });
});
