import {describe, expect, it} from 'vitest';
import {computeConsoleLayout, phasesPanelHeight} from '../../../source/ui/console/console-layout.js';
import {focusOrder} from '../../../source/ui/console/console-controller.js';

describe('layout', () => {
	const sizes = [
		[60, 16],
		[80, 24],
		[100, 30],
		[120, 40],
		[150, 30],
		[200, 60],
		[99, 50],
	] as const;
	for (const [columns, rows] of sizes) {
		for (const focus of focusOrder) {
			it(`${columns}×${rows} focus ${focus}: columns fill the width, panels fill the body, root is rows − 1`, () => {
				const layout = computeConsoleLayout(columns, rows, focus);
				expect(layout.height).toBe(rows - 1);
				expect(layout.headerHeight + layout.bodyHeight + layout.footerHeight).toBe(rows - 1);
				expect(layout.columns.reduce((sum, c) => sum + c.width, 0)).toBe(columns);
				for (const column of layout.columns) {
					expect(column.panels.reduce((sum, p) => sum + p.height, 0)).toBe(layout.bodyHeight);
					for (const panel of column.panels) expect(panel.height).toBeGreaterThanOrEqual(4);
				}
				const ids = layout.columns.flatMap(c => c.panels.map(p => p.id));
				expect(ids).toContain('phases');
				// The focused panel is always on screen (phases focus shows its checks).
				expect(ids).toContain(focus);
			});
		}
	}

	it('80×24 shows all twelve phases without scrolling', () => {
		const layout = computeConsoleLayout(80, 24, 'phases');
		expect(layout.columns[0]!.panels[0]!.height).toBeGreaterThanOrEqual(phasesPanelHeight);
	});

	it('says so when the terminal is too small', () => {
		expect(computeConsoleLayout(59, 24, 'phases').mode).toBe('too-small');
		expect(computeConsoleLayout(80, 15, 'phases').mode).toBe('too-small');
	});
});
