// The Lambda context a handler gets when the local cloud invokes it: enough for middy and Powertools
// (injectLambdaContext reads the function name, request id and remaining time).
import type { Context } from 'aws-lambda';

let requests = 0;

export function lambdaContext(functionName: string): Context {
  const requestId = `local-${(++requests).toString(16).padStart(8, '0')}`;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 900_000,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}
