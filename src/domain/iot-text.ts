// Free text that goes into IoT Jobs fields typed `Comment` / `JobDescription` in the API model: at most 2,028
// characters of the pattern `[^\p{C}]+` — no control, format, surrogate or private-use characters, and not empty.
// Approver comments with line breaks and multi-line error messages come in here; they go out as one clean line.

/** IoT's documented maximum for CancelJob `comment`, AssociateTargetsWithJob `comment` and CreateJob `description`. */
export const IOT_COMMENT_MAX = 2028;

const OTHER = /\p{C}+/gu;

/**
 * One line IoT accepts: every run of `\p{C}` characters (line breaks, tabs, NUL, zero-width joiners, lone surrogates)
 * becomes one space, runs of spaces collapse, the ends are trimmed, and the text is cut to `max` characters without
 * splitting a surrogate pair. Text with nothing left becomes '' — send no field then: present, it must not be empty.
 */
export function iotComment(text: string, max = IOT_COMMENT_MAX): string {
  const line = text.replace(OTHER, ' ').replace(/ {2,}/g, ' ').trim();
  if (line.length <= max) return line;
  // Cut by UTF-16 units (IoT counts those), stepping back off a high surrogate so no half pair is left.
  let end = max;
  const last = line.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return line.slice(0, end).trimEnd();
}

/** Whether IoT accepts `text` in a Comment field ('' standing for the field left out). */
export function isIotComment(text: string, max = IOT_COMMENT_MAX): boolean {
  return text.length <= max && !/\p{C}/u.test(text);
}
