// Lint: typescript-eslint recommended, plus the layering rules of DESIGN.md.
import tseslint from 'typescript-eslint';

const sdk = { group: ['@aws-sdk/*'], message: 'Only src/aws/** talks to AWS; use a port.' };

export default tseslint.config(
  { ignores: ['node_modules/', '.serverless/', '.esbuild/', 'coverage/', 'dist/', 'bench/.out/', 'src/cli/dashboard/static/'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The domain is pure: no SDK, not even its types.
    files: ['src/domain/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ ...sdk, message: 'src/domain is pure TypeScript: no AWS SDK, not even types.' }] }],
    },
  },
  {
    // Everything else outside the adapters may borrow SDK types, never SDK code.
    files: ['src/ports/**/*.ts', 'src/app/**/*.ts', 'src/local/**/*.ts', 'src/device/**/*.ts', 'src/cli/**/*.ts', 'functions/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ ...sdk, allowTypeImports: true }] }],
    },
  },
);
