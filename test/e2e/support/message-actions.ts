/** Page actions on one message: its menu (by keyboard, as a screen-reader user would, or by a long press), reply, react, edit, delete. */
import type { Locator, Page } from 'playwright-core';

/** The message whose own text is exactly `text` (a reply quoting it does not count). */
export function messageWith(page: Page, text: string): Locator {
  return page
    .getByRole('list', { name: 'Messages' })
    .getByRole('listitem')
    .filter({ has: page.locator('.content').getByText(text, { exact: true }) });
}

export function menu(page: Page): Locator {
  return page.getByRole('menu', { name: 'Message actions' });
}

/** Opens the message's menu from its ⋯ button with the keyboard (on a touch phone the button shows only when focused). */
export async function openMenu(page: Page, text: string): Promise<void> {
  await messageWith(page, text).last().getByRole('button', { name: 'Message actions' }).focus();
  await page.keyboard.press('Enter');
  await menu(page).waitFor();
}

/** A message's bubble, and a touch at its centre (moved `dx` across) as dispatchEvent takes it. */
async function touchOn(page: Page, text: string) {
  const bubble = messageWith(page, text).last().locator('.bubble');
  const box = await bubble.boundingBox();
  if (!box) throw new Error(`no bubble for ${text}`);
  const finger = (pointerId: number, dx = 0) => ({
    clientX: box.x + box.width / 2 + dx,
    clientY: box.y + box.height / 2,
    pointerType: 'touch',
    isPrimary: pointerId === 7,
    pointerId,
  });
  return { bubble, finger };
}

/** Opens the menu as a finger does: a press held in place. */
export async function longPress(page: Page, text: string): Promise<void> {
  const { bubble, finger } = await touchOn(page, text);
  await bubble.dispatchEvent('pointerdown', finger(7));
  await menu(page).waitFor();
  await bubble.dispatchEvent('pointerup', finger(7));
}

/** Two fingers down on a message and held past a long press's time, as a pinch or a two-finger scroll does. */
export async function twoFingerHold(page: Page, text: string, holdMs: number): Promise<void> {
  const { bubble, finger } = await touchOn(page, text);
  await bubble.dispatchEvent('pointerdown', finger(7, -20));
  await bubble.dispatchEvent('pointerdown', finger(8, 20));
  await page.waitForTimeout(holdMs);
  await bubble.dispatchEvent('pointerup', finger(8, 20));
  await bubble.dispatchEvent('pointerup', finger(7, -20));
}

export async function choose(page: Page, item: string | RegExp): Promise<void> {
  await menu(page).getByRole('menuitem', { name: item }).click();
}

export async function reply(page: Page, parent: string, text: string): Promise<void> {
  await openMenu(page, parent);
  await choose(page, 'Reply');
  const box = page.getByRole('textbox', { name: 'Message', exact: true });
  await box.fill(text);
  await box.press('Enter');
  await messageWith(page, text).first().waitFor();
}

export async function react(page: Page, text: string, emoji: string): Promise<void> {
  await openMenu(page, text);
  await choose(page, new RegExp(`^(React with|Take back) ${emoji}$`));
}

export async function edit(page: Page, text: string, next: string): Promise<void> {
  await openMenu(page, text);
  await choose(page, 'Edit');
  const box = page.getByRole('textbox', { name: 'Message', exact: true });
  await box.fill(next);
  await box.press('Enter');
  await messageWith(page, next).first().waitFor();
}

export async function remove(page: Page, text: string): Promise<void> {
  await openMenu(page, text);
  await choose(page, 'Delete');
  await page.getByRole('alertdialog', { name: 'Delete this message for everyone?' }).getByRole('button', { name: 'Delete' }).click();
}

/** The reaction chips under a message, as their accessible labels ("👍 2, you reacted"). */
export async function chips(page: Page, text: string): Promise<string[]> {
  const labels = await messageWith(page, text)
    .last()
    .getByRole('group', { name: 'Reactions' })
    .getByRole('button')
    .evaluateAll((buttons) => buttons.map((button) => button.getAttribute('aria-label') ?? ''));
  return labels;
}

/** The tick on one of our messages: clock, sent, delivered or read. */
export function tick(page: Page, text: string): Promise<string | null> {
  return messageWith(page, text).last().locator('[data-tick]').getAttribute('data-tick');
}
