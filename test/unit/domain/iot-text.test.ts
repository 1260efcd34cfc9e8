import { IOT_COMMENT_MAX, iotComment, isIotComment } from '#domain/iot-text.ts';

describe('iotComment', () => {
  it.each([
    ['line breaks and tabs', 'rolled back:\r\n\tboot loop on 3 %', 'rolled back: boot loop on 3 %'],
    ['NUL and other C0 controls', 'a\u0000b\u0007c', 'a b c'],
    ['zero-width and bidi format characters', 'ok\u200b\u202enow', 'ok now'],
    ['a lone surrogate', 'x\ud800y', 'x y'],
    ['leading and trailing space', '  fine  ', 'fine'],
  ])('turns %s into one clean line', (_what, text, expected) => {
    expect(iotComment(text)).toBe(expected);
    expect(isIotComment(iotComment(text))).toBe(true);
  });

  it('keeps letters of every script and emoji (they are not \\p{C})', () => {
    expect(iotComment('Größe ✓ 日本 🚀')).toBe('Größe ✓ 日本 🚀');
  });

  it("answers '' for text with nothing printable, so the caller leaves the field out", () => {
    expect(iotComment('\n\t')).toBe('');
  });

  it('cuts at 2,028 characters without leaving half a surrogate pair', () => {
    const text = `${'a'.repeat(IOT_COMMENT_MAX - 1)}🚀tail`;

    const cut = iotComment(text);

    expect(cut).toBe('a'.repeat(IOT_COMMENT_MAX - 1));
    expect(isIotComment(cut)).toBe(true);
  });

  it.each([['', true], ['a\nb', false], ['a'.repeat(IOT_COMMENT_MAX + 1), false], ['fine', true]])('isIotComment(%j) is %s', (text, expected) => {
    expect(isIotComment(text)).toBe(expected);
  });
});
