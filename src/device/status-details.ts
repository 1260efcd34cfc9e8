// statusDetails as IoT Jobs accepts them: keys `[a-zA-Z0-9:_-]+` (1–128), values 1–1,024 characters, and at most
// 10 pairs (documented for CancelJobExecution; kept here too so a device update is never refused for its details).
const MAX_PAIRS = 10;
const MAX_VALUE = 1024;

export function statusDetails(fields: Record<string, string | number | undefined>): Record<string, string> {
  const details: Record<string, string> = {};
  for (const [key, raw] of Object.entries(fields)) {
    if (raw === undefined || raw === '' || !/^[a-zA-Z0-9:_-]{1,128}$/.test(key)) continue;
    if (Object.keys(details).length === MAX_PAIRS) break;
    const value = String(raw);
    details[key] = value.length <= MAX_VALUE ? value : `${value.slice(0, MAX_VALUE - 1)}…`;
  }
  return details;
}
