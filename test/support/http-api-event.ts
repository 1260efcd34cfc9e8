// An HTTP API (payload format 2.0) event as API Gateway hands it to a Lambda, for handler tests and the loopback
// stand-in of the deployed API.
export interface HttpApiEventOptions {
  /** `https://api.example.com` unless the URL says otherwise. */
  headers?: Record<string, string>;
  body?: string;
  pathParameters?: Record<string, string>;
  /** The caller's IAM ARN, as the AWS_IAM authorizer reports it. */
  iamUserArn?: string;
  sourceIp?: string;
  userAgent?: string;
}

export function httpApiEvent(method: string, url: string, options: HttpApiEventOptions = {}) {
  const { host, pathname, searchParams } = new URL(url, 'https://api.example.com');
  return {
    version: '2.0',
    routeKey: `${method} ${pathname}`,
    rawPath: pathname,
    rawQueryString: searchParams.toString(),
    headers: { host, ...options.headers },
    ...(searchParams.size > 0 && { queryStringParameters: Object.fromEntries(searchParams) }),
    ...(options.pathParameters && { pathParameters: options.pathParameters }),
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: host,
      domainPrefix: 'api',
      http: { method, path: pathname, protocol: 'HTTP/1.1', sourceIp: options.sourceIp ?? '192.0.2.10', userAgent: options.userAgent ?? 'test' },
      requestId: 'r',
      routeKey: `${method} ${pathname}`,
      stage: '$default',
      time: '24/Nov/2026:10:00:00 +0000',
      timeEpoch: 0,
      ...(options.iamUserArn && { authorizer: { iam: { userArn: options.iamUserArn, accountId: '123456789012' } } }),
    },
    ...(options.body !== undefined && { body: options.body }),
    isBase64Encoded: false,
  };
}
