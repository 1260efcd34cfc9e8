// The version a job installs, read from its document the way an agent would: both flavours the project renders
// (generic `version`, nRF `fwversion`), tolerating nesting under `firmware`.

export function targetOfDocument(document: string): string | undefined {
  try {
    const parsed = JSON.parse(document) as Record<string, unknown>;
    for (const candidate of [parsed, parsed.firmware, parsed.rollback === true ? undefined : parsed.target]) {
      if (!candidate || typeof candidate !== 'object') continue;
      const record = candidate as Record<string, unknown>;
      for (const key of ['version', 'fwversion', 'targetVersion']) {
        if (typeof record[key] === 'string') return record[key] as string;
      }
    }
  } catch {
    // Not JSON: nothing to read.
  }
  return undefined;
}
