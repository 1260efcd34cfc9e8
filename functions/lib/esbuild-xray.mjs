// The X-Ray SDK (behind the Powertools Tracer) for Lambda only: its entry module loads, eagerly, parts that no code
// path in these functions reaches. Each is replaced by a module with the same exports; the comments say why each
// cannot be reached. What is left (segments, the SDK v3 patcher, the daemon emitter, cls-hooked) is what tracing uses.
import { dirname, join } from 'node:path';

const LEFT_OUT = {
  // The SDK v2 patcher, and with it `semver` (~30 kB, ~40 regular expressions built at load). The functions use SDK
  // v3, traced with captureAWSv3Client; calling the v2 patcher fails with an error that says so.
  './patchers/aws_p': `const leftOut = () => { throw new Error('the X-Ray SDK v2 patcher is left out of ota-release Lambda bundles (SDK v3 clients are traced with captureAWSv3Client)'); };
module.exports = { captureAWS: leftOut, captureAWSClient: leftOut };`,
  // Centralized sampling (rule and target pollers, the sampling API client). In Lambda the SDK swaps it for the local
  // sampler as it loads (env/aws_lambda.js calls disableCentralizedSampling when LAMBDA_TASK_ROOT is set), and Lambda
  // makes the sampling decision anyway; this makes the default the local sampler from the start.
  './sampling/default_sampler': "module.exports = require('./local_sampler');",
  // EC2, ECS and Elastic Beanstalk metadata: used only if AWSXRay.config([...plugins]) is called, never here.
  './segments/plugins/ec2_plugin': "module.exports = { originName: 'AWS::EC2::Instance', getData: (callback) => callback() };",
  './segments/plugins/ecs_plugin': "module.exports = { originName: 'AWS::ECS::Container', getData: (callback) => callback() };",
  './segments/plugins/elastic_beanstalk_plugin': "module.exports = { originName: 'AWS::ElasticBeanstalk::Environment', getData: (callback) => callback() };",
};

const XRAY_LIB = join('node_modules', 'aws-xray-sdk-core', 'dist', 'lib');

export const xrayLambdaOnly = {
  name: 'xray-lambda-only',
  setup(build) {
    build.onResolve({ filter: /^\.\// }, (args) =>
      Object.hasOwn(LEFT_OUT, args.path) && args.importer.includes(XRAY_LIB)
        ? { path: join(args.resolveDir, args.path), namespace: 'ota-release-xray', pluginData: args.path }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'ota-release-xray' }, (args) => ({ contents: LEFT_OUT[args.pluginData], loader: 'js', resolveDir: dirname(args.path) }));
  },
};
