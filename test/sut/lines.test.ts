import {describe, expect, it} from 'vitest';
import {LineSplitter} from '../../source/sut/lines.js';

describe('line splitter', () => {
	it('splits chunks into lines, joins partial lines, strips CR, cuts runaway lines, keeps split UTF-8 whole', () => {
		const lines: string[] = [];
		const splitter = new LineSplitter(line => lines.push(line), 10);
		splitter.push('one\r\ntw');
		splitter.push('o\n');
		splitter.push('x'.repeat(25));
		const euro = Buffer.from('€\n');
		splitter.push(euro.subarray(0, 1));
		splitter.push(euro.subarray(1));
		splitter.push('tail');
		splitter.flush();
		expect(lines).toEqual(['one', 'two', 'xxxxxxxxxx', 'xxxxxxxxxx', 'xxxxx€', 'tail']);
	});
});
