// Matchers for aws-sdk-client-mock (toHaveReceivedCommandWith, …) in every suite.
import 'aws-sdk-client-mock-jest';
