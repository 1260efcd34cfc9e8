// Per-thing secrets for the embedded broker: what the X.509 certificate of a thing is to AWS IoT Core. The broker
// accepts a connection only when its client id is a thing and its password is that thing's secret; the MQTT client id
// is then the authenticated thing, as an IoT policy with `${iot:Connection.Thing.ThingName}` makes it. Secrets are an
// HMAC of the thing name under a key drawn once per broker run, so none is stored and a secret from an old run (or
// for another thing) opens nothing.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Thing names as AWS IoT takes them: 1–128 of letters, digits, `:`, `_` and `-` (no MQTT wildcard can be one). */
export const THING_NAME = /^[a-zA-Z0-9:_-]{1,128}$/;

export class ThingCredentials {
  private constructor(private readonly key: Buffer) {}

  /** A fresh key: secrets issued by an earlier run are worthless. */
  static generate(): ThingCredentials {
    return new ThingCredentials(randomBytes(32));
  }

  /** The password `thingName` connects with. */
  secretFor(thingName: string): string {
    if (!THING_NAME.test(thingName)) throw new RangeError(`not a thing name: ${JSON.stringify(thingName)}`);
    return createHmac('sha256', this.key).update(thingName).digest('base64url');
  }

  /** True only for a well-formed thing name presented with its own secret (compared in constant time). */
  verify(thingName: string, password: Buffer | undefined): boolean {
    if (!THING_NAME.test(thingName) || password === undefined) return false;
    const expected = Buffer.from(this.secretFor(thingName));
    return password.length === expected.length && timingSafeEqual(password, expected);
  }

  /**
   * Writes the thing's secret to `<dir>/things/<thing>.secret` (owner-only, atomically) for an agent run by hand:
   * its configuration names the file as `broker.passwordFile`. Returns the file's path.
   */
  async writeSecret(dir: string, thingName: string): Promise<string> {
    const things = join(dir, 'things');
    await mkdir(things, { recursive: true, mode: 0o700 });
    const file = join(things, `${thingName}.secret`);
    const temp = `${file}.${process.pid}.tmp`;
    await writeFile(temp, `${this.secretFor(thingName)}\n`, { mode: 0o600 });
    await rename(temp, file);
    return file;
  }
}
