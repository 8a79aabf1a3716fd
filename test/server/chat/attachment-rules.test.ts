/** The pure attachment rules (#18): which type a file is, and which name it keeps. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_ATTACHMENT_TYPES, MAX_ATTACHMENT_NAME_CHARS } from '../../../shared/limits';
import { attachmentName } from '../../../server/chat/attachment-name';
import { judgeType } from '../../../server/chat/attachment-type';

const allowed = DEFAULT_ATTACHMENT_TYPES;
const judge = (claimed: string, detected: string | undefined, looksLikeText = false) =>
  judgeType({ claimed, detected, looksLikeText, allowed });

describe('attachment type', () => {
  it('takes the type from the bytes when the claim agrees, by alias or container', () => {
    expect(judge('image/png', 'image/png')).toEqual({ ok: true, type: 'image/png' });
    expect(judge('image/jpg', 'image/jpeg')).toEqual({ ok: true, type: 'image/jpeg' });
    expect(judge('audio/mp3', 'audio/mpeg')).toEqual({ ok: true, type: 'audio/mpeg' });
    expect(judge('audio/ogg', 'audio/ogg; codecs=opus')).toEqual({ ok: true, type: 'audio/ogg' });
    expect(judge('audio/mp4', 'video/mp4')).toEqual({ ok: true, type: 'video/mp4' });
    expect(judge('audio/x-m4a', 'audio/x-m4a')).toEqual({ ok: true, type: 'audio/mp4' });
    expect(judge('application/x-zip-compressed', 'application/zip')).toEqual({ ok: true, type: 'application/zip' });
  });

  it('lets the bytes decide when there is no claim, and re-labels an image that is another image', () => {
    expect(judge('application/octet-stream', 'application/pdf')).toEqual({ ok: true, type: 'application/pdf' });
    expect(judge('', 'video/webm')).toEqual({ ok: true, type: 'video/webm' });
    expect(judge('image/jpeg', 'image/png')).toEqual({ ok: true, type: 'image/png' });
  });

  it('refuses a lie, a type not allowed, and what no signature matches', () => {
    expect(judge('image/png', 'application/pdf')).toMatchObject({
      ok: false,
      reason: 'the file claims to be image/png but its bytes are application/pdf',
    });
    expect(judge('application/pdf', 'image/png')).toMatchObject({ ok: false });
    expect(judge('image/png', 'application/x-elf')).toMatchObject({ ok: false, reason: 'application/x-elf files are not accepted here' });
    expect(judge('image/heic', 'image/heic')).toMatchObject({ ok: false });
    expect(judge('image/png', undefined)).toMatchObject({ ok: false });
    expect(judge('application/octet-stream', undefined, true)).toMatchObject({ ok: false });
  });

  it('believes text/plain only for UTF-8 text, and only when allowed', () => {
    expect(judge('text/plain', undefined, true)).toEqual({ ok: true, type: 'text/plain' });
    expect(judge('text/plain; charset=utf-8', undefined, true)).toEqual({ ok: true, type: 'text/plain' });
    expect(judge('text/plain', undefined, false)).toMatchObject({ ok: false });
    expect(judgeType({ claimed: 'text/plain', detected: undefined, looksLikeText: true, allowed: ['image/png'] })).toMatchObject({
      ok: false,
    });
  });
});

describe('attachment name', () => {
  it('keeps the last path segment, without controls or bidi tricks, NFC', () => {
    expect(attachmentName('C:\\Users\\ana\\Desktop\\photo.jpg')).toBe('photo.jpg');
    expect(attachmentName('../../etc/passwd')).toBe('passwd');
    expect(attachmentName('invoice\u202Egpj.exe')).toBe('invoicegpj.exe');
    expect(attachmentName('tab\there\u0000.txt')).toBe('tabhere.txt');
    expect(attachmentName('Cafe\u0301.png')).toBe('Café.png');
    expect(attachmentName('  ')).toBe('file');
    expect(attachmentName('..')).toBe('file');
    expect(attachmentName('dir/')).toBe('file');
  });

  it('cuts long names to the limit, keeping the extension', () => {
    const long = `${'é'.repeat(400)}.jpeg`;
    const name = attachmentName(long);
    expect([...name]).toHaveLength(MAX_ATTACHMENT_NAME_CHARS);
    expect(name.endsWith('é.jpeg')).toBe(true);
    expect([...attachmentName('x'.repeat(300))]).toHaveLength(MAX_ATTACHMENT_NAME_CHARS);
  });
});
