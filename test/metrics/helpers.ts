/** A small parser of the Prometheus text exposition format, for asserting on scraped /metrics. */
export interface Sample {
	name: string;
	labels: Record<string, string>;
	value: number;
}

export interface Scrape {
	samples: Sample[];
	types: Map<string, string>;
	/** The single sample matching name and (a subset of) labels; throws when none or several match. */
	value(name: string, labels?: Record<string, string>): number;
	find(name: string, labels?: Record<string, string>): Sample[];
}

const labelPattern = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseExposition(text: string): Scrape {
	const samples: Sample[] = [];
	const types = new Map<string, string>();
	for (const line of text.split('\n')) {
		if (line.startsWith('# TYPE ')) {
			const [, , name, type] = line.split(' ');
			types.set(name!, type!);
			continue;
		}
		if (line === '' || line.startsWith('#')) continue;
		const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/.exec(line);
		if (!match) throw new Error(`not exposition format: ${line}`);
		const labels: Record<string, string> = {};
		for (const m of (match[3] ?? '').matchAll(labelPattern))
			labels[m[1]!] = m[2]!.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
		const raw = match[4]!;
		samples.push({
			name: match[1]!,
			labels,
			value: raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : Number(raw),
		});
	}
	const find = (name: string, labels: Record<string, string> = {}) =>
		samples.filter(s => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
	return {
		samples,
		types,
		find,
		value(name, labels = {}) {
			const found = find(name, labels);
			if (found.length !== 1) throw new Error(`${name}${JSON.stringify(labels)}: ${found.length} samples`);
			return found[0]!.value;
		},
	};
}

export async function scrape(url: string): Promise<{scrape: Scrape; contentType: string | null; text: string}> {
	const response = await fetch(url);
	if (response.status !== 200) throw new Error(`GET ${url}: ${response.status}`);
	const text = await response.text();
	return {scrape: parseExposition(text), contentType: response.headers.get('content-type'), text};
}
