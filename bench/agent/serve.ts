// The loopback firmware server in its own process, so the agent and `curl | sha256sum` are measured against the same
// server on equal terms (neither shares its process). Prints the image URL, then serves until stdin closes.
// Run by bench/agent/run.ts: node --import ./bin/polyfills.mjs --import tsx bench/agent/serve.ts <image file>
import { readFile } from 'node:fs/promises';
import { FirmwareServer } from '#local/firmware-server.ts';

const server = await FirmwareServer.start();
server.put('/image.bin', await readFile(process.argv[2] ?? ''));
process.stdout.write(`${server.url('/image.bin')}\n`);
process.stdin.resume();
process.stdin.on('end', () => void server.close().then(() => process.exit(0)));
