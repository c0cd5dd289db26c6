import {describe, expect, it} from 'vitest';
import {describeJsonError} from '../../source/util/json-error.js';

describe('describeJsonError', () => {
	it('is one line naming the line of the error, however V8 quotes the text', () => {
		const text = '{\n  "a": 1\n  "b": 2\n}\n';
		let error: unknown;
		try {
			JSON.parse(text);
		} catch (caught) {
			error = caught;
		}
		const message = describeJsonError(error, text);
		expect(message).not.toContain('\n');
		expect(message).toMatch(/line 3/);
	});

	it('cuts a very long message', () => {
		expect(describeJsonError(new Error('x'.repeat(500)), '').length).toBeLessThanOrEqual(201);
	});
});
