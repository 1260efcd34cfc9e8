// Lint: typescript-eslint recommended, plus the layering rules of DESIGN.md.
import tseslint from 'typescript-eslint';

const sdk = { group: ['@aws-sdk/*'], message: 'Only src/aws/** talks to AWS; use a port.' };
// The embedded cloud is the laptop's: Lambda bundles, the AWS adapters and the operator plane never import it.
const local = { regex: '^(#local/|(\\.\\.?/)+(src/)?local/)', message: 'src/local is the embedded cloud: functions/, src/aws, src/operator, src/app, src/ports and src/domain never import it.' };

export default tseslint.config(
  { ignores: ['node_modules/', '.serverless/', '.esbuild/', 'coverage/', 'dist/', 'bench/.out/', 'src/cli/dashboard/static/'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The domain is pure: no SDK, not even its types; and never the embedded cloud.
    files: ['src/domain/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ ...sdk, message: 'src/domain is pure TypeScript: no AWS SDK, not even types.' }, local] }],
    },
  },
  {
    // What runs in Lambda (and the operator plane both clouds share) may borrow SDK types, never SDK code, and never
    // reaches into the embedded cloud.
    files: ['src/ports/**/*.ts', 'src/app/**/*.ts', 'src/operator/**/*.ts', 'functions/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ ...sdk, allowTypeImports: true }, local] }],
    },
  },
  {
    files: ['src/aws/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [local] }],
    },
  },
  {
    // Everything else outside the adapters may borrow SDK types, never SDK code.
    files: ['src/local/**/*.ts', 'src/device/**/*.ts', 'src/cli/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ ...sdk, allowTypeImports: true }] }],
    },
  },
);
