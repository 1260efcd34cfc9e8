// The first step of `npm test`: the two tools outside npm that the test command needs, checked before anything runs,
// so a missing one is one plain message instead of a failure (or a skipped suite) half way through.
// - cfn-lint (Python) lints the packaged CloudFormation template: `pip install cfn-lint`.
// - Chromium (Debian's `chromium` at /usr/bin/chromium) runs the dashboard's browser tests. As root on a Debian-like
//   machine with apt-get this installs it (as CI does); anywhere else it says what to install.
// Either missing: exit 1, with what to do. OTA_RELEASE_NO_INSTALL=1 turns the installation off (check only).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CHROMIUM = '/usr/bin/chromium';
const problems = [];

const cfnLint = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
if (cfnLint.status === 0) process.stdout.write(`test tools: ${cfnLint.stdout.trim()}\n`);
else problems.push('cfn-lint is not on PATH: `pip install cfn-lint` (it lints the packaged CloudFormation template)');

if (!existsSync(CHROMIUM) && canInstallWithApt()) {
  process.stdout.write(`test tools: ${CHROMIUM} is missing; installing Debian's chromium with apt-get (about a minute)\n`);
  const apt = (args) => spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).status === 0;
  if (!(apt(['update', '-qq']) && apt(['install', '-y', '-qq', 'chromium']))) process.stdout.write('test tools: apt-get could not install chromium\n');
}
if (existsSync(CHROMIUM)) process.stdout.write(`test tools: ${CHROMIUM}\n`);
else problems.push(`${CHROMIUM} is missing: \`apt-get install chromium\` as root (the dashboard's browser tests drive it)`);

if (problems.length > 0) {
  process.stderr.write(`npm test needs tools that npm does not install:\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
  process.exit(1);
}

function canInstallWithApt() {
  return process.env.OTA_RELEASE_NO_INSTALL !== '1' && process.getuid?.() === 0 && spawnSync('apt-get', ['--version']).status === 0;
}
