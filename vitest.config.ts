import {defineConfig} from 'vitest/config';

export default defineConfig({
	test: {
		include: ['test/**/*.test.{ts,tsx}'],
		testTimeout: 30_000,
		hookTimeout: 30_000,
		pool: 'forks',
		// Two cores: more workers only add contention to loopback timing tests.
		maxWorkers: 2,
		reporters: process.env.CI ? ['default'] : ['default'],
	},
});
